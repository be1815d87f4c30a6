/**
 * Poll-mode integrations: every interval, ListObjectsV2 under the prefix with the account's keys
 * (needs s3:ListBucket), and each object version the ledger has not seen is detected.
 */
import type { Importer, IntegrationRef } from '../../core/inbound/index.ts';
import type { EngineS3 } from './account-clients.ts';
import type { Detector } from './detector.ts';
import type { IntegrationChecks } from './integration-checks.ts';
import type { Reporter } from './report.ts';

export interface PollerOptions {
  importer: Importer;
  checks: IntegrationChecks;
  detector: Detector;
  s3For(account: string, region: string): EngineS3;
  /** The IAM user who uploaded the object (Submitted By), from the gateway's metadata (none for a remote account's bucket). */
  uploaderOf(account: string, bucket: string, key: string): Promise<string | undefined>;
  report: Reporter;
}

/** Starts polling every poll-mode integration now and at its interval; returns the stop. */
export function startPolling(options: PollerOptions): () => void {
  const timers = options.importer.integrations
    .filter((ref) => ref.integration.detection === 'poll')
    .map((ref) => {
      const poll = pollOnce(options, ref);
      void poll();
      return setInterval(() => void poll(), ref.integration.pollIntervalSeconds * 1000);
    });
  return () => timers.forEach(clearInterval);
}

/** One integration's poll; a poll that comes while the last one runs is skipped. */
function pollOnce(options: PollerOptions, ref: IntegrationRef): () => Promise<void> {
  const { integration, prefix } = ref;
  let running = false;
  return async () => {
    if (running || !options.checks.active(ref)) return;
    running = true;
    try {
      const listed = await options
        .s3For(integration.account, integration.region)
        .listObjects(integration.bucket, prefix.staticPrefix, { all: true });
      if (!listed.ok) {
        const message = `polling needs s3:ListBucket: ListObjectsV2 under "${prefix.staticPrefix}" failed with ${listed.error.code}`;
        if (options.checks.warn(ref, { action: 's3:ListBucket', message, error: listed.error }))
          options.report.integrationWarning(ref.id, `polling failed: ${listed.error.code}: ${listed.error.message}`);
        return;
      }
      for (const object of listed.value) {
        // Versions already in the ledger cost nothing more: no metadata read, no detection.
        const dropped = { bucket: integration.bucket, ...object };
        if (options.importer.seen(ref, dropped)) continue;
        const uploadedBy = await options.uploaderOf(integration.account, integration.bucket, object.key);
        await options.detector.detect(uploadedBy ? { ...dropped, uploadedBy } : dropped, (r) => r.id === ref.id);
      }
    } finally {
      running = false;
    }
  };
}
