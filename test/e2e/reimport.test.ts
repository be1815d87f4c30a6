/**
 * Re-import: a file whose import failed (the platform's account could not read it) is imported again
 * once the policy is fixed. Dropping the same bytes again is skipped, and the log says how to import it
 * again; the API, the CLI and the UI do it, and the new submission names the one it replaces.
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

describe('importing a failed submission again', () => {
  it('skips the same bytes dropped again, saying so; imports the object again once the policy allows it', async () => {
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
    await drop();
    await h.engine.idle();
    expect((await h.submissionsOf('us/social/again.csv')).map((s) => s.id)).toEqual([failed!.id]);
    expect(h.logs).toContain(
      `[import] Social/Social: s3://acme-claravine/us/social/again.csv is a version already imported as submission ${failed!.id} (same ETag): skipped; to import it again: s3-harness reimport ${failed!.id}`,
    );

    const cli = await runCliAsync(['reimport', failed!.id, '--api', h.apiUrl]);
    expect(cli.status, cli.stderr).toBe(0);
    const [line] = cli.stdout.trim().split('\n');
    expect(line).toMatch(new RegExp(`^\\S+ COMPLETE again\\.csv \\(replaces ${failed!.id}\\)$`));
    const newId = line!.split(' ')[0]!;
    const again = await h.api<Submission>(`/api/submissions/${newId}`);
    expect(again).toMatchObject({ status: 'complete', replaces: failed!.id, counts: { rows: 1, accepted: 1 } });
    expect(await h.api<Submission>(`/api/submissions/${failed!.id}`)).toMatchObject({ status: 'failed' });

    // The UI: the failed one offers it, the new one names what it replaces.
    expect(await (await fetch(`${h.apiUrl}/submissions/${failed!.id}`)).text()).toContain(
      '<button>Import again</button>',
    );
    expect(await (await fetch(`${h.apiUrl}/submissions/${newId}`)).text()).toContain(
      `<dt>Replaces</dt><dd><a href="/submissions/${failed!.id}">${failed!.id}</a>`,
    );
  });

  it('refuses a submission that did not fail (409), or does not exist (404), naming why', async () => {
    const [complete] = (await h.api<Submission[]>('/api/submissions?status=complete')).filter((s) => s.replaces);
    const conflict = await reimport(complete!.id);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      error: {
        code: 'Conflict',
        message: `submission ${complete!.id} is complete; only a failed submission can be imported again`,
      },
    });
    expect((await reimport('nope')).status).toBe(404);
    const cli = await runCliAsync(['reimport', complete!.id, '--api', h.apiUrl]);
    expect([cli.status, cli.stderr.trim().split('\n').at(-1)]).toEqual([
      2,
      `s3-harness: submission ${complete!.id} is complete; only a failed submission can be imported again`,
    ]);
  });
});
