/**
 * Drops, recorded in the ledger and queued for import. A detection in flight is tracked so that a stop
 * waits for it: a drop answered with 200 is in the ledger before the engine ends (docs/durability.md).
 */
import type { DroppedObject, Importer, IntegrationRef, LedgerEntry } from '../../core/inbound/index.ts';

/** What the engine needs of the gateway's object-created event. */
export interface CreatedObject {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
  versionId?: string;
  userName?: string;
  /** The request that wrote it: the gateway forgets the event once the engine has recorded it. */
  requestId?: string;
  /** S3's `sequencer`: one per write. */
  sequencer?: string;
}

export interface Detector {
  /**
   * Records the object for the integrations `only` accepts (and that may import); resolves with how many
   * took it. `onAlreadySeen` hears of integrations that had imported this very version.
   */
  detect(
    object: DroppedObject,
    only: (ref: IntegrationRef) => boolean,
    onAlreadySeen?: (entry: LedgerEntry) => void,
  ): Promise<number>;
  /** Resolves when every detection under way has ended. */
  settled(): Promise<void>;
  readonly inFlight: number;
}

export function createDetector(options: {
  importer: Importer;
  active(ref: IntegrationRef): boolean;
  enqueue(entry: LedgerEntry): void;
}): Detector {
  const detections = new Set<Promise<number>>();
  return {
    detect(object, only, onAlreadySeen) {
      const detection = (async () => {
        const entries = await options.importer.detect(object, (ref) => options.active(ref) && only(ref), onAlreadySeen);
        for (const entry of entries) options.enqueue(entry);
        return entries.length;
      })();
      detections.add(detection);
      void detection.finally(() => detections.delete(detection)).catch(() => undefined);
      return detection;
    },
    async settled() {
      await Promise.allSettled([...detections]);
    },
    get inFlight() {
      return detections.size;
    },
  };
}

export const byEvent = (ref: IntegrationRef) => ref.integration.detection === 'event';

export function droppedOf(event: CreatedObject): DroppedObject {
  return {
    bucket: event.bucket,
    key: event.key,
    etag: event.etag ?? '',
    size: event.size ?? 0,
    ...(event.versionId !== undefined ? { versionId: event.versionId } : {}),
    ...(event.sequencer !== undefined ? { sequencer: event.sequencer } : {}),
    ...(event.userName ? { uploadedBy: event.userName } : {}),
  };
}
