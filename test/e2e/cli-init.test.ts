/** `s3-harness init`: a starting project from the shipped starter, never overwriting what is there. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const STARTER_FILES = [
  '.github/workflows/s3-harness.yml',
  's3-harness/README.md',
  's3-harness/files/Campaigns-bad.csv',
  's3-harness/files/Campaigns.csv',
  's3-harness/scenarios/drop-and-export.json',
  's3-harness/test/drop.test.mjs',
  's3-harness/vitest.config.mjs',
  's3-harness/workspace.json',
];
const shipped = (path: string) => readFile(join('fixtures/starter', path.replace(/^\.github\//, 'github/')));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-init-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('s3-harness init', () => {
  it('writes the starter into a new folder, adds the data folder to .gitignore and says what to install', async () => {
    const project = join(dir, 'new');
    const result = runCli(['init', project]);
    expect(result.status, result.stderr).toBe(0);
    for (const path of STARTER_FILES) {
      expect(await readFile(join(project, path)), path).toEqual(await shipped(path));
      expect(result.stdout).toContain(`wrote ${path}`);
    }
    expect(await readFile(join(project, '.gitignore'), 'utf8')).toBe(
      "# s3-harness's data folder (s3-harness start)\n.s3-harness/\n",
    );
    expect(result.stdout).toContain('npm init -y && npm install --save-dev s3-harness vitest @aws-sdk/client-s3');
  });

  it('overwrites nothing when a file is there (exit 2, each named), and replaces them with --force', async () => {
    const project = join(dir, 'twice');
    expect(runCli(['init', project]).status).toBe(0);
    await writeFile(join(project, 's3-harness/workspace.json'), '{"edited": true}');
    const again = runCli(['init', project]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('s3-harness/workspace.json');
    expect(again.stderr).toContain('nothing was written (--force replaces them)');
    expect(await readFile(join(project, 's3-harness/workspace.json'), 'utf8')).toBe('{"edited": true}');

    const forced = runCli(['init', project, '--force']);
    expect(forced.status).toBe(0);
    expect(await readFile(join(project, 's3-harness/workspace.json'))).toEqual(
      await shipped('s3-harness/workspace.json'),
    );
    expect(forced.stdout).toContain('.gitignore already ignores .s3-harness/');
    expect((await readFile(join(project, '.gitignore'), 'utf8')).match(/\.s3-harness\//g)).toHaveLength(1);
  });

  it("keeps an existing .gitignore's lines, and names only the missing dev dependencies", async () => {
    const project = join(dir, 'existing');
    await mkdir(project);
    await writeFile(join(project, '.gitignore'), 'node_modules');
    await writeFile(join(project, 'package.json'), JSON.stringify({ devDependencies: { vitest: '4.1.12' } }));
    const result = runCli(['init', project]);
    expect(result.status).toBe(0);
    expect(await readFile(join(project, '.gitignore'), 'utf8')).toBe(
      "node_modules\n# s3-harness's data folder (s3-harness start)\n.s3-harness/\n",
    );
    expect(result.stdout).toContain('npm install --save-dev s3-harness @aws-sdk/client-s3\n');

    const ignored = join(dir, 'ignored');
    await mkdir(ignored);
    await writeFile(join(ignored, '.gitignore'), '/.s3-harness\n');
    await writeFile(
      join(ignored, 'package.json'),
      JSON.stringify({ devDependencies: { 's3-harness': '0.1.0', vitest: '4', '@aws-sdk/client-s3': '3' } }),
    );
    const quiet = runCli(['init', ignored]);
    expect(await readFile(join(ignored, '.gitignore'), 'utf8')).toBe('/.s3-harness\n');
    expect(quiet.stdout).not.toContain('npm install');
  });

  it('refuses a path that is a file, and a second folder', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const file = runCli(['init', join(dir, 'a-file')]);
    expect([file.status, file.stderr.trim()]).toEqual([2, `s3-harness: init: ${join(dir, 'a-file')} is not a folder`]);
    expect(runCli(['init', 'a', 'b']).status).toBe(2);
  });
});
