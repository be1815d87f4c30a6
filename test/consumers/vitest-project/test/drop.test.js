import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect, inject, it } from 'vitest';

const harness = inject('s3Harness');

function clientFor(name) {
  const user = harness.users.find((u) => u.name === name);
  return new S3Client({
    endpoint: harness.endpoint,
    region: harness.region,
    forcePathStyle: true,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
  });
}

it('gets the harness from the global setup (started here, or the one S3_HARNESS_READY_FILE names)', () => {
  expect(harness.external).toBe(process.env.S3_HARNESS_READY_FILE !== undefined);
  if (process.env.EXPECTED_ENDPOINT) expect(harness.endpoint).toBe(process.env.EXPECTED_ENDPOINT);
});

it('drops a file as the uploader and finds its submission through the API', async () => {
  const key = `us/submissions/Email-${Date.now()}.csv`;
  await clientFor('uploader').send(
    new PutObjectCommand({
      Bucket: 'acme-claravine',
      Key: key,
      Body: 'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\nSpring Sale,Email,,EMEA,France,03/01/2026,\r\n',
    }),
  );
  let submission;
  for (let i = 0; i < 200 && !submission; i++) {
    const all = await (await fetch(`${harness.apiUrl}/api/submissions`)).json();
    submission = all.find((s) => s.source.key === key);
    if (!submission) await new Promise((r) => setTimeout(r, 50));
  }
  expect(submission).toMatchObject({ status: 'complete', counts: { rows: 1 } });
});

it('sees a denial in the decision log', async () => {
  await expect(
    clientFor('intern').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/x.csv', Body: 'x' })),
  ).rejects.toThrow();
  const { decisions } = await (await fetch(`${harness.apiUrl}/api/decisions?user=intern&decision=deny`)).json();
  expect(decisions[0]).toMatchObject({ operation: 'PutObject', action: 's3:PutObject' });
});
