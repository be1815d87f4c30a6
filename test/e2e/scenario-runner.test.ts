/**
 * The runner fails loudly and precisely: a scenario whose expectation is changed to a wrong value
 * fails at that step with a diff that points at the difference; the CLI's exit codes and JUnit XML.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioStep, SubmissionStep } from '../../core/scenarios/index.ts';
import { loadScenarioFile, type LoadedScenario } from '../../emulator/scenarios/load-scenario.ts';
import { runScenario } from '../../emulator/scenarios/run-scenario.ts';
import { runCliAsync } from '../helpers/cli.ts';

const EMAIL = 'scenarios/email-import-and-export.json';

const withStep = (
  loaded: LoadedScenario,
  index: number,
  change: (step: ScenarioStep) => ScenarioStep,
): LoadedScenario => ({
  ...loaded,
  scenario: {
    ...loaded.scenario,
    steps: loaded.scenario.steps.map((s, i) => (i === index ? change(structuredClone(s)) : s)),
  },
});

describe('a scenario with a wrong expectation', () => {
  let email: LoadedScenario;
  beforeAll(async () => {
    email = await loadScenarioFile(EMAIL);
  });

  it('passes as written', async () => {
    expect((await runScenario(email)).passed).toBe(true);
  });

  it('fails at the submission step with a diff of the field that differs', async () => {
    const wrong = withStep(email, 1, (step) => {
      (step as SubmissionStep).fields.counts = { rows: 3, accepted: 2, rejected: 0 };
      return step;
    });
    const result = await runScenario(wrong);
    expect(result).toMatchObject({ passed: false, stepsRun: 1, failure: { step: 1, kind: 'expectSubmission' } });
    expect(result.failure!.message).toMatch(/^submission \S+ of s3:\/\/\*\/us\/submissions\/Email\.csv differs$/);
    expect(result.failure!.detail).toContain('-    "accepted": 2,\n+    "accepted": 3,');
  });

  it('fails an access expectation with the error the gateway gave', async () => {
    const wrong = withStep(email, 0, () => ({
      kind: 'expectAccess',
      as: 'uploader',
      operation: 'ListObjectsV2',
      bucket: 'acme-claravine',
      prefix: '',
      sse: false,
      allowed: true,
    }));
    const result = await runScenario(wrong);
    expect(result.failure!.message).toMatch(
      /^ListObjectsV2 as uploader on s3:\/\/acme-claravine\/: expected it to be allowed, but it failed with AccessDenied: .*\(Implicitly denied\./,
    );
  });

  it('shows a spreadsheet difference cell by cell', async () => {
    const book = await loadScenarioFile('scenarios/outbound-json-and-xlsx.json');
    const last = book.scenario.steps.length - 1;
    const wrong = withStep(book, last, (step) => {
      (step as { rows: string[][] }).rows[2]![1] = 'Email';
      return step;
    });
    const result = await runScenario(wrong);
    expect(result.failure).toMatchObject({
      step: last,
      kind: 'expectObject',
      message: 'the rows of s3://acme-exports/books_Email.xlsx differ',
    });
    expect(result.failure!.detail).toBe('row 3, column B ("channel"): expected "Email", got "Social"');
  });

  it('shows issue lists side by side', async () => {
    const wrong = withStep(email, 1, () => ({
      kind: 'expectSubmission',
      key: 'us/submissions/Email.csv',
      fields: {},
      issues: [{ row: 2, column: 'Country' }],
      issuesMatch: 'subset',
      timeoutMs: 5000,
    }));
    const result = await runScenario(wrong);
    expect(result.failure!.detail).toBe(
      `  ${'expected issues'.padEnd(22)} | actual issues\n! row=2 column="Country" | `,
    );
  });
});

describe('s3-harness scenario run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-harness-scenarios-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** A copy of the Email scenario in the temporary folder, its paths made absolute, with an edit. */
  const copy = async (name: string, edit: (text: string) => string) => {
    const text = (await readFile(EMAIL, 'utf8')).replace(/"(\.\.\/fixtures\/[^"]+|expected\/[^"]+)"/g, (_, p: string) =>
      JSON.stringify(resolve('scenarios', p)),
    );
    const file = join(dir, name);
    await writeFile(file, edit(text));
    return file;
  };

  it('exits 0 when every scenario passes, and writes JUnit XML', async () => {
    const junit = join(dir, 'pass.xml');
    const result = await runCliAsync(['scenario', 'run', EMAIL, '--junit', junit]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^Found 1 scenario file\(s\), 1 at a time\n\n✓ Email: a valid drop becomes a complete submission and an encrypted export \(\d+\.\d s\)\n\n1 passed, 0 failed\n$/,
    );
    expect(await readFile(junit, 'utf8')).toMatch(
      /<testsuite name="s3-harness scenarios" tests="1" failures="0" errors="0" time="[\d.]+">\n  <testcase classname="scenarios\/email-import-and-export\.json" name="Email: a valid drop/,
    );
  });

  it('exits 1 when one fails, with the step and the diff, in the output and in JUnit XML', async () => {
    const wrong = await copy('wrong.json', (text) => text.replace('"SO-20261128-00002"', '"SO-20261128-00099"'));
    const junit = join(dir, 'fail.xml');
    const result = await runCliAsync(['scenario', 'run', wrong, EMAIL, '--junit', junit]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      '    step 4 (expectObject): the rows of s3://acme-exports/inbox_us_Email_2026-11-28_09-30-00.csv differ',
    );
    expect(result.stdout).toContain(
      '      row 8, column B ("TRACKING CODE"): expected "SO-20261128-00099", got "SO-20261128-00002"',
    );
    expect(result.stdout).toMatch(/\n1 passed, 1 failed\n$/);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('tests="2" failures="1"');
    expect(xml).toContain(
      '<failure message="step 4 (expectObject): the rows of s3://acme-exports/inbox_us_Email_2026-11-28_09-30-00.csv differ">',
    );
  });

  it('reports a scenario file with problems as a failure naming each problem', async () => {
    const broken = await copy('broken.json', (text) => text.replace('"upload"', '"uplaod"'));
    const result = await runCliAsync(['scenario', 'run', broken]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('1 problem(s) in the scenario');
    expect(result.stdout).toMatch(/steps\[0\]: a step is an object with one key, the step's kind \(.*\), got "uplaod"/);
  });

  it('names steps that refer to users, templates or integrations the workspace does not have', async () => {
    const dangling = await copy('dangling.json', (text) => text.replace('"as": "uploader"', '"as": "uplaoder"'));
    const result = await runCliAsync(['scenario', 'run', dangling]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'steps[0].upload: "as" names "uplaoder", which is not a user of the workspace ("admin", "uploader",',
    );
  });

  it('starts no more scenarios after the first failure with --bail', async () => {
    const wrong = await copy('a-wrong.json', (text) =>
      text.replace('"rows": 3, "accepted": 3', '"rows": 4, "accepted": 3'),
    );
    const result = await runCliAsync(['scenario', 'run', wrong, EMAIL, '--bail', '--concurrency', '1']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/\n0 passed, 1 failed; 1 not run \(--bail stopped after a failure\)\n$/);
  });

  it('runs one share of the files with --shard I/N (the second of two files for 2/2)', async () => {
    const wrong = await copy('a-wrong-shard.json', (text) =>
      text.replace('"rows": 3, "accepted": 3', '"rows": 4, "accepted": 3'),
    );
    // Sorted: the copy (in a temporary folder under /tmp) comes before scenarios/: 1/2 runs it, 2/2 the other.
    const first = await runCliAsync(['scenario', 'run', wrong, EMAIL, '--shard', '1/2', '--workers', '1']);
    expect([first.status, first.stdout]).toEqual([1, expect.stringContaining('Shard 1/2: 1 of 2 scenario file(s)')]);
    const second = await runCliAsync(['scenario', 'run', wrong, EMAIL, '--shard', '2/2', '--workers', '1']);
    expect(second.status, second.stdout).toBe(0);
    expect(second.stdout).toMatch(/\n1 passed, 0 failed\n$/);
  });

  it('runs a scenario that names no workspace on the bundled demo', async () => {
    const noWorkspace = await copy('no-workspace.json', (text) => text.replace(/"workspace":\s*"[^"]*",\s*/, ''));
    expect(await readFile(noWorkspace, 'utf8')).not.toContain('"workspace"');
    const result = await runCliAsync(['scenario', 'run', noWorkspace]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('counts what --filter left out', async () => {
    const other = await copy('other.json', (text) => text.replace('"name": "Email:', '"name": "Other:'));
    const result = await runCliAsync(['scenario', 'run', other, EMAIL, '--filter', 'Other']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Found 2 scenario file\(s\); running those matching "Other", 2 at a time\n/);
    expect(result.stdout).toMatch(/\n1 passed, 0 failed; 1 not matching --filter\n$/);
  });

  it('names a missing file at load time, and every problem of a file at once', async () => {
    const missing = await copy('missing.json', (text) =>
      text.replace(/"file": "[^"]+Email\.csv"/, '"file": "no-such.csv"'),
    );
    const result = await runCliAsync(['scenario', 'run', missing]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      `steps[0].upload: "file" names "no-such.csv", which does not exist (${join(dir, 'no-such.csv')}; paths are relative to the scenario file)`,
    );
    expect(result.stdout).not.toContain('ENOENT');
    // An unknown user in step 0 and a malformed step 1: both reported.
    const both = await copy('both.json', (text) =>
      text.replace('"as": "uploader"', '"as": "uplaoder"').replace('"expectSubmission"', '"expectSubmision"'),
    );
    const reported = await runCliAsync(['scenario', 'run', both]);
    expect(reported.stdout).toContain('2 problem(s) in the scenario');
    expect(reported.stdout).toContain('steps[0].upload: "as" names "uplaoder", which is not a user of the workspace');
    expect(reported.stdout).toMatch(
      /steps\[1\]: a step is an object with one key, the step's kind \(.*\), got "expectSubmision"/,
    );
  });

  it('exits 2 when the filter matches nothing, or on a bad option', async () => {
    const none = await runCliAsync(['scenario', 'run', EMAIL, '--filter', 'no such scenario']);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('s3-harness: no scenario matches "no such scenario" (in 1 file(s))\n');
    expect((await runCliAsync(['scenario', 'run', '--concurrency', '0'])).status).toBe(2);
    expect((await runCliAsync(['scenario', 'run', '--shard', '0/2'])).status).toBe(2);
    const tooMany = await runCliAsync(['scenario', 'run', EMAIL, '--shard', '2/2']);
    expect([tooMany.status, tooMany.stderr]).toEqual([2, expect.stringContaining('shard 2/2 has no scenario file')]);
  });
});
