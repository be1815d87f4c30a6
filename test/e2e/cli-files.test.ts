import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, runCliAsync } from '../helpers/cli.ts';

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
    expect([result.status, result.stdout.trim()]).toEqual([
      0,
      'fixtures/files/Email.csv: valid for template "Email": 3 row(s), 3 accepted, 0 rejected',
    ]);
  });

  it('exits 1 for an invalid file and prints each issue with row, column, value and rule', () => {
    const result = runCli(['validate', 'fixtures/files/Email-bad.csv', '--template', 'Email']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^3\s+Country\s+France\s+drilldown\s+"France" is not a child of "Region" = "AMER"/m);
  });

  it('prints the result as JSON with --json', () => {
    const result = runCli(['validate', 'fixtures/files/Email-bad.csv', '--template', 'Email', '--json']);
    const json = JSON.parse(result.stdout) as {
      ok: boolean;
      counts: object;
      issues: { row: number; column: string; rule: string }[];
    };
    expect([result.status, json.ok, json.counts]).toEqual([1, false, { rows: 3, accepted: 1, rejected: 2, blank: 0 }]);
    expect(json.issues[0]).toEqual({
      row: 3,
      column: 'Campaign Name',
      value: 'ab',
      rule: 'minLength',
      message: 'must be at least 3 characters long, has 2',
    });
  });

  it('fails a Latin-1 file with the byte offset', async () => {
    const file = join(dir, 'latin1.csv');
    await writeFile(file, Buffer.from('Post Name,Network\r\nCaf\u00e9,LinkedIn\r\n', 'latin1'));
    const result = runCli(['validate', file, '--template', 'Social']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^file\s+encoding\s+the file is not valid UTF-8: byte offset 22 \(0xE9\); save the file as "CSV UTF-8"$/m,
    );
  });

  it('exits 2 on usage errors', () => {
    expect(runCli(['validate', '--template', 'Email']).status).toBe(2);
    expect(runCli(['validate', 'fixtures/files/Email.csv']).stderr.trim()).toBe(
      's3-harness: --template NAME is required',
    );
    expect(runCli(['validate', 'nope.csv', '--template', 'Email']).stderr.trim()).toBe(
      's3-harness: cannot read nope.csv (ENOENT)',
    );
    expect(runCli(['validate', 'fixtures/files/Email.csv', '--template', 'Email', '--row-limit', 'x']).status).toBe(2);
  });
});

describe('s3-harness outbound preview', () => {
  it('prints the key and first lines of each outbound file for a sample row', () => {
    const result = runCli(['outbound', 'preview', '--template', 'Email']);
    expect(result.status).toBe(0);
    const [heading, ...lines] = result.stdout.trimEnd().split('\n');
    expect(heading).toMatch(
      /^Email export: s3:\/\/acme-exports\/inbox_us_Email_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.csv \(csv, semicolon, SSE-S3\)$/,
    );
    expect(lines.slice(1, 7)).toEqual([
      '  User Name;Sample User',
      '  Targets;Email export',
      '  Template;Email',
      '  ',
      '  CAMPAIGN;TRACKING CODE;BY;NOTES',
      '  <Campaign Name>;<Tracking Code>;sample@example.com;',
    ]);
  });

  it('previews an XLSX file by the cells it holds: rendered as delivered, read back by the independent reader', async () => {
    const workspace = JSON.parse(await readFile('fixtures/workspaces/demo.json', 'utf8'));
    Object.assign(workspace.templates[0].outbound[0], { fileType: 'xlsx', escapeFormulas: false });
    const path = join(dir, 'xlsx-preview.json');
    await writeFile(path, JSON.stringify(workspace));
    const result = runCli(['outbound', 'preview', '--template', 'Email', '--workspace', path]);
    expect(result.status, result.stderr).toBe(0);
    const [heading, ...lines] = result.stdout.trimEnd().split('\n');
    expect(heading).toMatch(/\.xlsx \(xlsx, SSE-S3\)$/);
    // It was previewed as CSV text before; now as the cells of the workbook delivery would write.
    expect(lines.slice(5, 7)).toEqual([
      '  CAMPAIGN,TRACKING CODE,BY,NOTES',
      '  <Campaign Name>,<Tracking Code>,sample@example.com,',
    ]);
  });

  it('previews the rows of a real submission from the data folder', async () => {
    const { startTestHarness } = await import('../helpers/harness.ts');
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const h = await startTestHarness();
    try {
      await h.client('uploader').send(
        new PutObjectCommand({
          Bucket: 'acme-claravine',
          Key: 'us/submissions/Email.csv',
          Body: await readFile('fixtures/files/Email.csv'),
        }),
      );
      const [submission] = await h.submissionsOf('us/submissions/Email.csv');
      const result = await runCliAsync([
        'outbound',
        'preview',
        '--template',
        'Email',
        '--submission',
        submission!.id,
        '--data',
        h.dataDirectory,
        '--lines',
        '9',
      ]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        `inbox_us_Email_${submission!.submittedAt.slice(0, 19).replace('T', '_').replace(/:/g, '-')}.csv`,
      );
      expect(result.stdout).toMatch(/^ {2}Spring Sale;EM-\d{8}-\d{5};uma@example.com;$/m);
      expect(
        runCli(['outbound', 'preview', '--template', 'Email', '--submission', 'nope', '--data', h.dataDirectory])
          .status,
      ).toBe(2);
    } finally {
      await h.stop();
    }
  });
});
