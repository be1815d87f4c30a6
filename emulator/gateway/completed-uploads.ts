/**
 * Multipart uploads recently completed, so that a client retrying CompleteMultipartUpload (after a
 * lost answer) gets 200 and the object's ETag again, as AWS answers, instead of NoSuchUpload. A
 * repeat is answered while the key still holds the object that upload made; kept in memory, for the
 * latest `capacity` completions (docs/gateway.md, "Multipart uploads").
 */
export interface CompletedUpload {
  bucket: string;
  key: string;
  etag: string;
}

export class CompletedUploads {
  readonly #byId = new Map<string, CompletedUpload>();

  constructor(private readonly capacity = 1000) {}

  remember(uploadId: string, upload: CompletedUpload): void {
    this.#byId.delete(uploadId);
    this.#byId.set(uploadId, upload);
    if (this.#byId.size > this.capacity) this.#byId.delete(this.#byId.keys().next().value!);
  }

  /** The completion of `uploadId` on this bucket and key, if remembered. */
  find(uploadId: string, bucket: string, key: string): CompletedUpload | undefined {
    const upload = this.#byId.get(uploadId);
    return upload && upload.bucket === bucket && upload.key === key ? upload : undefined;
  }
}
