/**
 * `s3-harness init [DIR]`: a starting project, copied from the files the package ships (fixtures/starter/):
 * a workspace, example files for its template, a scenario, a vitest test using the recipe of
 * docs/api-node.md, a GitHub Actions workflow; and `.s3-harness/` (start's default data folder) added to
 * `.gitignore`. Nothing is overwritten without --force: when any file exists, none is written.
 */
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { DEFAULTS } from '../defaults.ts';
import { commandArgs } from './command-args.ts';
import { EXIT, UsageError } from './usage-error.ts';

export const INIT_USAGE = `Usage: s3-harness init [DIR] [--force]

Writes a starting project into DIR (default: the current folder):
  s3-harness/workspace.json         the customer's buckets, users, policies, account and a template
  s3-harness/files/                 a valid file to drop and one with errors
  s3-harness/scenarios/             a scenario: a drop, its submission, its export, a denial
  s3-harness/test/, vitest.config.mjs  a vitest test on one harness started for the run
  .github/workflows/s3-harness.yml  all of it on every push
and adds .s3-harness/ (the harness's data folder) to .gitignore. Refuses to overwrite an existing file
unless --force.`;

/** The data folder `start` uses when none is named, which a repository should not track. */
const DATA_FOLDER_LINE = '.s3-harness/';
/** What the starter's test and workflow need in the project's package.json. */
const DEV_DEPENDENCIES = ['s3-harness', 'vitest', '@aws-sdk/client-s3'];

/** A starter file's path in the project: `github/` is shipped without its dot (dot folders are easily lost in packing). */
function destinationOf(starterPath: string): string {
  const path = starterPath.split(sep).join('/');
  return path.startsWith('github/') ? `.${path}` : path;
}

/** The starter's files, relative to its folder, in a stable order. */
async function starterFiles(folder = DEFAULTS.starterDirectory): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await starterFiles(path)));
    else if (entry.isFile()) files.push(relative(DEFAULTS.starterDirectory, path));
  }
  return files.sort();
}

async function ignoresDataFolder(gitignore: string): Promise<boolean> {
  if (!existsSync(gitignore)) return false;
  const lines = (await readFile(gitignore, 'utf8')).split(/\r?\n/).map((line) => line.trim());
  return lines.some((line) => ['.s3-harness', '.s3-harness/', '/.s3-harness', '/.s3-harness/'].includes(line));
}

async function addToGitignore(gitignore: string): Promise<void> {
  const before = existsSync(gitignore) ? await readFile(gitignore, 'utf8') : '';
  const separator = before === '' || before.endsWith('\n') ? '' : '\n';
  await appendFile(gitignore, `${separator}# s3-harness's data folder (s3-harness start)\n${DATA_FOLDER_LINE}\n`);
}

/** The install line for what the project's package.json lacks, or null when it has all of it. */
async function missingDevDependencies(directory: string): Promise<string | null> {
  const manifest = join(directory, 'package.json');
  if (!existsSync(manifest)) return `npm init -y && npm install --save-dev ${DEV_DEPENDENCIES.join(' ')}`;
  const json = JSON.parse(await readFile(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>;
  const listed = new Set([...Object.keys(json.dependencies ?? {}), ...Object.keys(json.devDependencies ?? {})]);
  const missing = DEV_DEPENDENCIES.filter((name) => !listed.has(name));
  return missing.length ? `npm install --save-dev ${missing.join(' ')}` : null;
}

export async function runInit(args: string[]): Promise<number> {
  const parsed = commandArgs('init', {
    args,
    strict: true,
    allowPositionals: true,
    options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (parsed.values.help) {
    console.log(INIT_USAGE);
    return EXIT.ok;
  }
  if (parsed.positionals.length > 1) throw new UsageError('init takes one folder (run s3-harness init --help)');
  const directory = parsed.positionals[0] ?? '.';
  if (existsSync(directory) && !(await stat(directory)).isDirectory()) {
    throw new UsageError(`init: ${directory} is not a folder`);
  }

  const files = (await starterFiles()).map((from) => ({ from, to: destinationOf(from) }));
  const existing = files.filter(({ to }) => existsSync(join(directory, to))).map(({ to }) => to);
  if (existing.length && !parsed.values.force) {
    throw new UsageError(
      `init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${directory}; nothing was written (--force replaces them)`,
    );
  }
  for (const { from, to } of files) {
    await mkdir(dirname(join(directory, to)), { recursive: true });
    await copyFile(join(DEFAULTS.starterDirectory, from), join(directory, to));
    console.log(`wrote ${to}`);
  }
  const gitignore = join(directory, '.gitignore');
  if (await ignoresDataFolder(gitignore)) console.log(`.gitignore already ignores ${DATA_FOLDER_LINE}`);
  else {
    await addToGitignore(gitignore);
    console.log(`added ${DATA_FOLDER_LINE} to .gitignore`);
  }

  const install = await missingDevDependencies(directory);
  console.log(`\nNext${directory === '.' ? '' : ` (in ${directory})`}:`);
  if (install) console.log(`  ${install}`);
  console.log('  npx s3-harness scenario run s3-harness/scenarios');
  console.log('  npx vitest run --root s3-harness');
  console.log("  npx s3-harness start --workspace s3-harness/workspace.json   # the web UI and each user's keys");
  console.log('s3-harness/README.md says what each file is.');
  return EXIT.ok;
}
