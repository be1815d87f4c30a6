/**
 * `npm run test:package` (CI runs it after `npm test`): what a user of the published package gets.
 * Packs the repository, installs the tarball into an empty folder (tarballs from npm's cache where
 * `npm ci` put them; the registry answers what the cache lacks), and there runs the CLI (`--help`, `validate`, `preflight`, `scenario run`,
 * `start --json --ready-file` with an SDK upload) and the API (`import { startHarness } from 's3-harness'`),
 * and the vitest recipe (test/consumers/vitest-project: its own suite, on the harness its globalSetup
 * starts and on one already running), `init` and the workflow it writes, with no TypeScript sources and no tsx.
 * Each check prints `ok` or fails the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const folder = await mkdtemp(join(tmpdir(), 's3-harness-package-'));
const consumer = join(folder, 'consumer');
const bin = join(consumer, 'node_modules', '.bin', 's3-harness');
let failures = 0;

function check(name, condition, detail = '') {
  if (condition) console.log(`ok - ${name}`);
  else {
    failures++;
    console.log(`not ok - ${name}${detail ? `\n${detail}` : ''}`);
  }
}

/** Runs a command in the consumer folder; never throws: the exit code is part of what is checked. */
function run(command, args, options = {}) {
  try {
    const stdout = execFileSync(command, args, { cwd: consumer, encoding: 'utf8', stdio: 'pipe', ...options });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    return { status: error.status ?? 1, stdout: String(error.stdout ?? ''), stderr: String(error.stderr ?? '') };
  }
}

/** The ready line `start --ready-file` writes (whole, once it answers), waited for up to 20 s. */
async function readyLine(file) {
  const started = performance.now();
  while (!existsSync(file) && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(await readFile(file, 'utf8'));
}

try {
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', folder], {
    cwd: root,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1);
  const tarball = join(folder, packed);
  await execFileSync('mkdir', ['-p', consumer]);
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball]);
  check('the packed tarball installs into an empty folder', install.status === 0, install.stderr);
  check(
    'with no warning about its scripts (a `prepare` whose file is not shipped)',
    !/prepare|install-scripts.*s3-harness/.test(install.stderr),
    install.stderr,
  );
  const installed = join(consumer, 'node_modules', 's3-harness');

  // Every example file the README and docs/ cite (fixtures/..., scenarios/...) is in the installed package.
  const cited = new Set();
  for (const doc of ['README.md', ...(await readdir(join(installed, 'docs'))).map((name) => `docs/${name}`)]) {
    const text = await readFile(join(installed, doc), 'utf8');
    for (const [path] of text.matchAll(/(?<![\w/.-])(?:fixtures|scenarios)\/[\w./-]*\w/g)) cited.add(path);
  }
  const absent = [...cited].filter((path) => !existsSync(join(installed, path)));
  check(
    `the ${cited.size} example paths the docs cite exist in the installed package`,
    cited.size > 0 && absent.length === 0,
    absent.join(', '),
  );
  check(
    'the package ships compiled JavaScript and types, not the TypeScript sources',
    existsSync(join(installed, 'dist', 'cli.js')) &&
      existsSync(join(installed, 'dist', 'types', 'emulator', 'index.d.ts')) &&
      !existsSync(join(installed, 'emulator')) &&
      !existsSync(join(consumer, 'node_modules', 'tsx')),
  );

  const help = run(bin, ['--help']);
  check('s3-harness --help', help.status === 0 && help.stdout.includes('Usage: s3-harness <command>'), help.stderr);

  await writeFile(
    join(consumer, 'Email.csv'),
    'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\nSpring Sale,Email,,EMEA,France,03/01/2026,promo\r\n',
  );
  const validate = run(bin, ['validate', 'Email.csv', '--template', 'Email']);
  check('s3-harness validate (the demo workspace, shipped)', validate.status === 0, validate.stdout + validate.stderr);

  const preflight = run(bin, ['preflight', '--json']);
  check(
    's3-harness preflight (exit 1: the demo has a denied integration)',
    preflight.status === 1 && Array.isArray(JSON.parse(preflight.stdout).integrations),
    preflight.stderr,
  );

  await writeFile(
    join(consumer, 'drop.json'),
    JSON.stringify({
      name: 'A drop from a project that installed s3-harness',
      workspace: 'node_modules/s3-harness/fixtures/workspaces/demo.json',
      steps: [
        { upload: { as: 'uploader', bucket: 'acme-claravine', key: 'us/submissions/Email.csv', file: 'Email.csv' } },
        { expectSubmission: { key: 'us/submissions/Email.csv', status: 'complete', counts: { rows: 1 } } },
      ],
    }),
  );
  const scenario = run(bin, ['scenario', 'run', 'drop.json', '--junit', 'junit.xml']);
  check(
    's3-harness scenario run, with JUnit XML',
    scenario.status === 0 && (await readFile(join(consumer, 'junit.xml'), 'utf8')).includes('failures="0"'),
    scenario.stdout + scenario.stderr,
  );

  // start --json: the ready line, an upload with the SDK the package brought, a clean stop.
  const readyFile = join(consumer, 'ready.json');
  const child = spawn(bin, ['start', '--ephemeral', '--port', '0', '--json', '--ready-file', readyFile], {
    cwd: consumer,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const ready = await readyLine(readyFile);
  check('start --ready-file holds the ready line start --json printed', JSON.stringify(ready) === stdout.trim());
  const upload = run(process.execPath, [
    '--input-type=module',
    '-e',
    `import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
     const ready = ${JSON.stringify(ready)};
     const admin = ready.users.find((u) => u.name === 'admin');
     const s3 = new S3Client({ endpoint: ready.s3.endpoint, region: ready.s3.region, forcePathStyle: true,
       credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey } });
     await s3.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'from-consumer.txt', Body: 'hi' }));
     s3.destroy();`,
  ]);
  check('an SDK client uploads to the started harness', upload.status === 0, upload.stderr);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  check('start stops on Ctrl-C with exit 0, removing its ready file', (await exited) === 0 && !existsSync(readyFile));

  // docs/ci.md's one-line recipe: run ... -- COMMAND, the command's exit code is run's (the shell's
  // `kill %1` recipe left the harness running: npm does not pass the signal on).
  await writeFile(
    join(consumer, 'list.mjs'),
    `import { S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
     const s3 = new S3Client({ forcePathStyle: true }); // endpoint, region and keys from the environment
     const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }));
     process.exit(listed.KeyCount === 0 ? 0 : 5);`,
  );
  const runRecipe = run(bin, ['run', '--as', 'admin', '--', 'node', 'list.mjs']);
  check(
    'run --as admin -- node list.mjs: the command runs against a fresh harness',
    runRecipe.status === 0,
    runRecipe.stderr,
  );
  const failing = run(bin, ['run', '--', 'node', '-e', 'process.exit(4)']);
  check("run exits with the command's code", failing.status === 4, failing.stderr);

  // The API, from a program.
  await writeFile(
    join(consumer, 'api.mjs'),
    `import { runScenarios, startHarness } from 's3-harness';
     const harness = await startHarness();
     const body = 'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\\r\\nSpring Sale,Email,,EMEA,France,03/01/2026,\\r\\n';
     const { etag } = await harness.upload('uploader', 'acme-claravine', 'us/submissions/Email.csv', body);
     const submission = await harness.waitForSubmission({ key: 'us/submissions/Email.csv', etag });
     console.log(submission.status, submission.counts.rows);
     await harness.stop();
     const [result] = await runScenarios(['drop.json']);
     console.log(result.passed, result.name);`,
  );
  const api = run(process.execPath, ['api.mjs']);
  check(
    "import { startHarness, runScenarios } from 's3-harness': a drop imported, a scenario file run",
    api.stdout.trim() === 'complete 1\ntrue A drop from a project that installed s3-harness',
    api.stdout + api.stderr,
  );

  // A TypeScript consumer: its use of the API and of the vitest recipe type-checks against the shipped types
  // (strict, NodeNext), and a misuse is a type error, so the types are checked, not just present.
  await writeFile(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ['typed.ts'],
    }),
  );
  const typed = `import { startHarness, runScenarios, type EmbeddedHarness } from 's3-harness';
     import type { ProvidedHarness } from 's3-harness/vitest';
     const harness: EmbeddedHarness = await startHarness({ workspace: 'workspace.json' });
     const { etag }: { etag: string } = await harness.upload('uploader', 'b', 'k', 'body');
     const submission = await harness.waitForSubmission({ etag, timeoutMs: 5000 });
     const status: string = submission.status;
     const results = await runScenarios(['drop.json']);
     const passed: boolean = results.every((r) => r.passed);
     const provided = {} as ProvidedHarness;
     const endpoint: string = provided.endpoint;
     const keys = provided.users.map((u) => u.accessKeyId);
     await harness.stop();
     export { status, passed, endpoint, keys };`;
  const tsc = join(new URL('..', import.meta.url).pathname, 'node_modules', 'typescript', 'bin', 'tsc');
  await writeFile(join(consumer, 'typed.ts'), typed);
  const typeCheck = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  check(
    'a TypeScript consumer type-checks its use of the API and the vitest recipe',
    typeCheck.status === 0,
    typeCheck.stdout + typeCheck.stderr,
  );
  await writeFile(
    join(consumer, 'typed.ts'),
    typed.replace("harness.upload('uploader', 'b', 'k', 'body')", "harness.upload('uploader', 42)"),
  );
  const misuse = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  check(
    'a misuse of the API is a type error there',
    misuse.status !== 0 && misuse.stdout.includes('typed.ts'),
    misuse.stdout,
  );

  // docs/ci.md's pytest recipe, its files exactly as written there (each block starts `# NAME.py`).
  if (run('python3', ['-c', 'import pytest, boto3']).status !== 0) {
    console.log(
      'SKIPPED - the pytest recipe: python3 with pytest and boto3 is missing (apt-get install python3-pytest python3-boto3)',
    );
  } else {
    const ciDoc = await readFile(new URL('docs/ci.md', new URL('..', import.meta.url)), 'utf8');
    const blocks = [...ciDoc.matchAll(/```python\n# (\S+\.py)[^\n]*\n([\s\S]*?)```/g)];
    for (const [, name, body] of blocks) await writeFile(join(consumer, name), body);
    const pytest = run('python3', [
      '-m',
      'pytest',
      '-q',
      '-p',
      'no:cacheprovider',
      ...blocks.map(([, name]) => name).filter((n) => n.startsWith('test_')),
    ]);
    check(
      `the pytest recipe of docs/ci.md (${blocks.map(([, name]) => name).join(', ')}) passes from the tarball`,
      blocks.length === 2 && pytest.status === 0 && /1 passed/.test(pytest.stdout),
      pytest.stdout + pytest.stderr,
    );
  }

  // The vitest recipe: a project of its own (test/consumers/vitest-project) with the tarball and vitest.
  const project = join(folder, 'vitest-project');
  await cp(new URL('test/consumers/vitest-project/', new URL('..', import.meta.url)), project, { recursive: true });
  const vitestVersion = JSON.parse(
    await readFile(join(root, 'node_modules', 'vitest', 'package.json'), 'utf8'),
  ).version;
  const projectInstall = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `vitest@${vitestVersion}`],
    { cwd: project },
  );
  check('a vitest project installs the tarball beside vitest', projectInstall.status === 0, projectInstall.stderr);
  const vitest = join(project, 'node_modules', '.bin', 'vitest');
  const own = run(vitest, ['run'], { cwd: project });
  check("its suite passes on the harness the recipe's globalSetup starts", own.status === 0, own.stdout + own.stderr);

  const externalReady = join(folder, 'external.json');
  const external = spawn(bin, ['start', '--ephemeral', '--port', '0', '--ready-file', externalReady], {
    cwd: consumer,
    stdio: 'ignore',
  });
  const { endpoint } = (await readyLine(externalReady)).s3;
  const reused = run(vitest, ['run'], {
    cwd: project,
    env: { ...process.env, S3_HARNESS_READY_FILE: externalReady, EXPECTED_ENDPOINT: endpoint },
  });
  check(
    'with S3_HARNESS_READY_FILE it uses the harness already running',
    reused.status === 0,
    reused.stdout + reused.stderr,
  );
  const externalExited = new Promise((resolve) => external.once('exit', resolve));
  external.kill('SIGINT');
  await externalExited;

  // A CommonJS project as `npm init -y` makes it, with the tarball and vitest: require('s3-harness') from a .js
  // file (Node 20.19+ loads the ES module; it was ERR_PACKAGE_PATH_NOT_EXPORTED), then `s3-harness init` and
  // every `run:` of the workflow it wrote, as written (the job's `npm ci` being this install).
  const commonjs = join(folder, 'commonjs-project');
  await execFileSync('mkdir', ['-p', commonjs]);
  await writeFile(
    join(commonjs, 'package.json'),
    JSON.stringify({ name: 'commonjs-project', version: '1.0.0', type: 'commonjs', private: true }),
  );
  const commonjsInstall = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, `vitest@${vitestVersion}`],
    { cwd: commonjs },
  );
  check('a CommonJS project installs the tarball beside vitest', commonjsInstall.status === 0, commonjsInstall.stderr);
  await writeFile(
    join(commonjs, 'index.js'),
    `const { startHarness } = require('s3-harness');
     (async () => {
       const harness = await startHarness();
       const { etag } = await harness.upload('admin', 'acme-claravine', 'from-cjs.txt', 'hi');
       console.log(etag.length > 0 ? 'uploaded' : 'no etag');
       await harness.stop();
     })();`,
  );
  const cjs = run(process.execPath, ['index.js'], { cwd: commonjs });
  check("require('s3-harness') in a CommonJS project", cjs.stdout.trim() === 'uploaded', cjs.stdout + cjs.stderr);

  const commonjsBin = join(commonjs, 'node_modules', '.bin', 's3-harness');
  const init = run(commonjsBin, ['init'], { cwd: commonjs });
  check('s3-harness init writes a starting project', init.status === 0, init.stdout + init.stderr);
  const gitignore = await readFile(join(commonjs, '.gitignore'), 'utf8').catch(() => '');
  check('init adds .s3-harness/ to .gitignore', gitignore.split('\n').includes('.s3-harness/'), gitignore);
  const again = run(commonjsBin, ['init'], { cwd: commonjs });
  check('a second init overwrites nothing (exit 2)', again.status === 2, again.stdout + again.stderr);
  const workflow = await readFile(join(commonjs, '.github', 'workflows', 's3-harness.yml'), 'utf8').catch(() => '');
  const steps = [...workflow.matchAll(/^ {6}- run: (.+)$/gm)].map(([, line]) => line).filter((l) => l !== 'npm ci');
  for (const line of steps) {
    const step = run('sh', ['-c', line], { cwd: commonjs });
    check(`init's workflow: ${line}`, step.status === 0, step.stdout + step.stderr);
  }
  check("init's workflow has its four checks", steps.length === 4, workflow);
} finally {
  await rm(folder, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'package: every check passed');
process.exit(failures ? 1 : 0);
