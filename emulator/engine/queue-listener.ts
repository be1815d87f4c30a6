/**
 * `sqs` integrations: drops announced by the bucket's S3 event notifications in an SQS queue. Long
 * polling; a message is deleted once every record in it is recorded in the ledger (or is not this
 * integration's: another bucket, another prefix, not an object-created event, S3's `s3:TestEvent`);
 * a message whose detection failed stays, and SQS delivers it again. The ledger makes a second
 * delivery of the same version a no-op, so at-least-once is enough.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DroppedObject, Importer, IntegrationRef } from '../../core/inbound/index.ts';
import type { Account } from '../../core/inbound/index.ts';
import type { Detector } from './detector.ts';
import type { Reporter } from './report.ts';
import { QUIET_LOGGER } from '../s3-client.ts';

export interface QueueListenerOptions {
  importer: Importer;
  accounts: readonly Account[];
  detector: Detector;
  report: Reporter;
  /** Seconds a ReceiveMessage waits for a message (SQS allows up to 20). */
  waitSeconds: number;
}

interface EventRecord {
  eventName?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; eTag?: string; size?: number; versionId?: string; sequencer?: string };
  };
}

/**
 * The object-created records of one message, each on its own: none for S3's test event or a body that
 * is not an S3 event; a record whose key is not valid percent-encoding is named in `unreadable` (and
 * skipped), so the valid records beside it are still imported.
 */
export function createdObjects(body: string): { objects: DroppedObject[]; unreadable: string[] } {
  let parsed: { Event?: string; Records?: EventRecord[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { objects: [], unreadable: [] };
  }
  const objects: DroppedObject[] = [];
  const unreadable: string[] = [];
  if (parsed.Event === 's3:TestEvent' || !Array.isArray(parsed.Records)) return { objects, unreadable };
  for (const r of parsed.Records) {
    if (!r?.eventName?.startsWith('ObjectCreated:') || !r.s3?.bucket?.name || typeof r.s3.object?.key !== 'string')
      continue;
    let key: string;
    try {
      // Keys in event notifications are URL-encoded, with `+` for a space.
      key = decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
    } catch {
      unreadable.push(`s3://${r.s3.bucket.name}/${r.s3.object.key} (its key is not valid percent-encoding)`);
      continue;
    }
    objects.push({
      bucket: r.s3.bucket.name,
      key,
      etag: r.s3.object.eTag ?? '',
      size: r.s3.object.size ?? 0,
      ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}),
      ...(r.s3.object.sequencer ? { sequencer: r.s3.object.sequencer } : {}),
    });
  }
  return { objects, unreadable };
}

type Sqs = typeof import('@aws-sdk/client-sqs');

function listen(
  ref: IntegrationRef,
  client: SQSClient,
  { ReceiveMessageCommand, DeleteMessageCommand }: Sqs,
  options: QueueListenerOptions,
  signal: AbortSignal,
) {
  const { integration } = ref;
  const queueUrl = integration.queueUrl!;
  const receiveOnce = async () => {
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: options.waitSeconds }),
      { abortSignal: signal },
    );
    for (const message of received.Messages ?? []) {
      const created = createdObjects(message.Body ?? '');
      for (const record of created.unreadable)
        options.report.integrationWarning(ref.id, `a queue message's record was skipped: ${record}`);
      const objects = created.objects.filter(
        (o) => o.bucket === integration.bucket && ref.prefix.match(o.key) !== undefined,
      );
      for (const object of objects) await options.detector.detect(object, (r) => r.id === ref.id);
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  };
  return (async () => {
    while (!signal.aborted) {
      try {
        await receiveOnce();
      } catch (error) {
        if (signal.aborted) return;
        options.report.integrationWarning(
          ref.id,
          `the queue could not be read: ${(error as Error).name}: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
}

/** Starts listening for every `sqs` integration; returns the stop, which ends the long polls. */
export function startQueueListeners(options: QueueListenerOptions): () => Promise<void> {
  const refs = options.importer.integrations.filter(
    (ref) => ref.integration.detection === 'sqs' && ref.integration.queueUrl,
  );
  if (refs.length === 0) return async () => {};
  const controller = new AbortController();
  const clients: SQSClient[] = [];
  // The SQS client is loaded only when an integration listens to a queue (npm run bench -- startup).
  const loops = import('@aws-sdk/client-sqs').then((sqs) =>
    Promise.allSettled(
      refs.map((ref) => {
        const remote = options.accounts.find((a) => a.name === ref.integration.account)?.remote ?? {};
        const client = new sqs.SQSClient({
          region: ref.integration.region,
          ...(remote.profile ? { profile: remote.profile } : {}),
          logger: QUIET_LOGGER,
        });
        clients.push(client);
        return listen(ref, client, sqs, options, controller.signal);
      }),
    ),
  );
  return async () => {
    controller.abort();
    await loops.catch(() => {});
    for (const client of clients) client.destroy();
  };
}
