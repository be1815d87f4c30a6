import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-files-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('s3-harness template-file', () => {
  it('writes the header of the user-input fields, in schema order', async () => {
    const out = join(dir, 'Email.csv');
    const result = runCli(['template-file', '--template', 'Email', '-o', out]);
    expect(result.status).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\n');
    expect(runCli(['template-file', '--template', 'Social']).stdout).toBe('Post Name,Network\r\n');
  });
});

describe('s3-harness validate', () => {
  it('exits 0 for a valid file', () => {
    const result = runCli(['validate', 'fixtures/files/Email.csv', '--template', 'Email']);
    expect([result.status, result.stdout.trim()]).toEqual([0, 'fixtures/files/Email.csv: valid for template "Email": 3 row(s), 3 accepted, 0 rejected']);
  });

  it('exits 1 for an invalid file and prints each issue with row, column, value and rule', () => {
    const result = runCli(['validate', 'fixtures/files/Email-bad.csv', '--template', 'Email']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^3\s+Country\s+France\s+drilldown\s+"France" is not a child of "Region" = "AMER"/m);
  });

  it('prints the result as JSON with --json', () => {
    const result = runCli(['validate', 'fixtures/files/Email-bad.csv', '--template', 'Email', '--json']);
    const json = JSON.parse(result.stdout) as { ok: boolean; counts: object; issues: { row: number; column: string; rule: string }[] };
    expect([result.status, json.ok, json.counts]).toEqual([1, false, { rows: 3, accepted: 1, rejected: 2, blank: 0 }]);
    expect(json.issues[0]).toEqual({ row: 3, column: 'Campaign Name', value: 'ab', rule: 'minLength', message: 'must be at least 3 characters long, has 2' });
  });

  it('fails a Latin-1 file with the byte offset', async () => {
    const file = join(dir, 'latin1.csv');
    await writeFile(file, Buffer.from('Post Name,Network\r\nCaf\u00e9,LinkedIn\r\n', 'latin1'));
    const result = runCli(['validate', file, '--template', 'Social']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^file\s+encoding\s+the file is not valid UTF-8: byte offset 22 \(0xE9\); save the file as "CSV UTF-8"$/m);
  });

  it('exits 2 on usage errors', () => {
    expect(runCli(['validate', '--template', 'Email']).status).toBe(2);
    expect(runCli(['validate', 'fixtures/files/Email.csv']).stderr.trim()).toBe('s3-harness: --template NAME is required');
    expect(runCli(['validate', 'nope.csv', '--template', 'Email']).stderr.trim()).toBe('s3-harness: cannot read nope.csv (ENOENT)');
    expect(runCli(['validate', 'fixtures/files/Email.csv', '--template', 'Email', '--row-limit', 'x']).status).toBe(2);
  });
});
