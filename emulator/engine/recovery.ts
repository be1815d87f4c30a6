/**
 * What the last run left unfinished, finished at start (docs/durability.md): imports not `done`,
 * deliveries `queued` or `writing`, and drops the gateway answered with 200 that no engine recorded.
 */
import type { IntegrationRef, LedgerEntry } from '../../core/inbound/index.ts';
import type { Deliverer, DeliveryRef } from '../../core/outbound/index.ts';
import type { Gateway } from '../gateway/index.ts';
import { byEvent, droppedOf, type Detector } from './detector.ts';
import type { Reporter } from './report.ts';
import type { EngineStore } from './submission-store.ts';

/** Queues every unfinished import and delivery. */
export async function resumeUnfinished(options: {
  store: EngineStore;
  integrations: readonly IntegrationRef[];
  deliverer: Deliverer;
  enqueue(entry: LedgerEntry): void;
  deliver(ref: DeliveryRef): void;
  report: Reporter;
}): Promise<void> {
  const { store, report } = options;
  const known = new Set(options.integrations.map((ref) => ref.id));
  for (const entry of await store.unfinished()) {
    if (known.has(entry.integration)) {
      report.resumingImport(entry);
      options.enqueue(entry);
    } else {
      // The workspace was edited since: nothing can finish this import, so it is closed, and said so.
      report.droppingImport(entry);
      await store.commit(entry.id, [], store.counters());
    }
  }
  for (const ref of options.deliverer.unfinished()) {
    report.resumingDelivery(ref, store.submission(ref.submissionId)?.deliveries?.[ref.index]);
    options.deliver(ref);
  }
}

/**
 * Drops the gateway answered with 200 that no engine recorded (a kill, a crash, a stop right after the
 * answer): the gateway's journal holds them until now. Already recorded ones cost a ledger lookup.
 */
export async function replayJournal(gateway: Gateway, detector: Detector, report: Reporter): Promise<void> {
  const missed = await gateway.pendingEvents();
  let recovered = 0;
  for (const event of missed.events) recovered += await detector.detect(droppedOf(event), byEvent);
  report.recoveredDrops(recovered);
  await gateway.acknowledgeEvents(missed.through);
}
