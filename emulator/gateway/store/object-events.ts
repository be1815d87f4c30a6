/**
 * S3 event notifications as the gateway emits them. An object-created event is part of the very
 * journal line that commits its object (docs/durability.md): a write is committed with its event or
 * not at all, and the event is kept until the platform says it has recorded it. As S3 Event
 * Notifications to an SQS queue: at least once; the engine's ledger makes a second delivery a no-op.
 */
export interface ObjectEvent {
  eventName:
    'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload' | 'ObjectRemoved:Delete';
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  /** The version written, in a versioned bucket (none for the `null` version). */
  versionId?: string;
  /**
   * S3's `sequencer`: hexadecimal, greater for a later write (here the commit's journal sequence
   * number). Two writes of the same bytes have two; an event delivered twice has one.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
   */
  sequencer?: string;
  /** The IAM user who made the request; undefined for anonymous requests. */
  userName?: string;
  time: string;
  requestId: string;
}

export interface PendingEvents {
  events: ObjectEvent[];
  /** Acknowledging `through` forgets these events and keeps any committed after them. */
  through: number;
}
