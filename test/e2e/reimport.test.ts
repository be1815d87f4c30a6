/**
 * Re-import: a file whose import failed (the platform's account could not read it) is imported again
 * once the policy is fixed, and a complete one too (it takes the old one's place in the dataset). The
 * same bytes dropped again are a new drop. The API, the CLI and the UI do it, and the new submission
 * names the one it replaces.
 */
import { PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../core/submissions/index.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness();
});
afterAll(() => h.stop());

const POST = 'Post Name,Network\r\nHello,LinkedIn\r\n';
const drop = () =>
  h.client('uploader').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/social/again.csv', Body: POST }));
const reimport = (id: string) => fetch(`${h.apiUrl}/api/submissions/${id}/reimport`, { method: 'POST' });

describe('importing a submission again', () => {
  it('the same bytes dropped again are a new drop; a failed submission is imported again once the policy allows it', async () => {
    await drop();
    const [failed] = await h.submissionsOf('us/social/again.csv');
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'AccessDenied' } });

    // The fix: the bucket policy lets the platform's user (claravine) read the social folder.
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PlatformReadsSocial',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/claravine' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-claravine/us/social/*',
        },
      ],
    };
    await h
      .client('admin')
      .send(new PutBucketPolicyCommand({ Bucket: 'acme-claravine', Policy: JSON.stringify(policy) }));
    // Dropping the same bytes again is a write of its own: imported, as S3's events count writes.
    await drop();
    await h.engine.idle();
    const both = await h.submissionsOf('us/social/again.csv');
    expect(both.map((s) => [s.id === failed!.id, s.status]).sort()).toEqual([
      [false, 'complete'],
      [true, 'failed'],
    ]);

    const cli = await runCliAsync(['reimport', failed!.id, '--api', h.apiUrl]);
    expect(cli.status, cli.stderr).toBe(0);
    const [line] = cli.stdout.trim().split('\n');
    expect(line).toMatch(new RegExp(`^\\S+ COMPLETE again\\.csv \\(replaces ${failed!.id}\\)$`));
    const newId = line!.split(' ')[0]!;
    const again = await h.api<Submission>(`/api/submissions/${newId}`);
    expect(again).toMatchObject({ status: 'complete', replaces: failed!.id, counts: { rows: 1, accepted: 1 } });
    expect(await h.api<Submission>(`/api/submissions/${failed!.id}`)).toMatchObject({ status: 'failed' });

    // The UI: every submission offers it, the new one names what it replaces.
    expect(await (await fetch(`${h.apiUrl}/submissions/${failed!.id}`)).text()).toContain(
      '<button>Import again</button>',
    );
    expect(await (await fetch(`${h.apiUrl}/submissions/${newId}`)).text()).toContain(
      `<dt>Replaces</dt><dd><a href="/submissions/${failed!.id}">${failed!.id}</a>`,
    );
  });

  it('imports a complete submission again, which takes its place in the dataset; an unknown one is 404', async () => {
    const [complete] = (await h.api<Submission[]>('/api/submissions?status=complete')).filter(
      (s) => s.source.key === 'us/social/again.csv' && !s.replaces,
    );
    const members = async () =>
      new Set((await h.api<{ submission: string }[]>('/api/templates/Social/dataset')).map((r) => r.submission));
    expect(await members()).toContain(complete!.id);
    const answer = await reimport(complete!.id);
    expect(answer.status).toBe(200);
    const [replacement] = ((await answer.json()) as { submissions: Submission[] }).submissions;
    expect(replacement).toMatchObject({ status: 'complete', replaces: complete!.id });
    const now = await members();
    expect([now.has(complete!.id), now.has(replacement!.id)]).toEqual([false, true]);
    expect((await reimport('nope')).status).toBe(404);
    const cli = await runCliAsync(['reimport', 'nope', '--api', h.apiUrl]);
    expect([cli.status, cli.stderr.trim().split('\n').at(-1)]).toEqual([2, 's3-harness: no submission "nope"']);
  });
});
