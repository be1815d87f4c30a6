/**
 * Strict streaming UTF-8: chunks in, text out, and the byte offset of the first invalid byte when
 * the file is not UTF-8 (a Latin-1 export, say). A leading byte-order mark is dropped, as Excel's
 * "CSV UTF-8" writes one. Chunk boundaries may split a character: the tail waits for the next chunk
 * (decoding chunks on their own would turn a character split between two chunks into two U+FFFD).
 */
import { isUtf8 } from 'node:buffer';

export class Utf8Error extends Error {
  readonly offset: number;
  readonly byte: number | undefined;
  constructor(offset: number, byte: number | undefined, message: string) {
    super(message);
    this.offset = offset;
    this.byte = byte;
  }
}

/** Length of the sequence a lead byte starts, or 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The offset of the first invalid byte of a buffer that isUtf8 refused. */
function firstInvalidOffset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i]!);
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const b = bytes[i + k];
      if (b === undefined) return i;
      let low = 0x80;
      let high = 0xbf;
      if (k === 1) {
        // Overlong forms and surrogates, as RFC 3629 forbids them.
        if (bytes[i] === 0xe0) low = 0xa0;
        else if (bytes[i] === 0xed) high = 0x9f;
        else if (bytes[i] === 0xf0) low = 0x90;
        else if (bytes[i] === 0xf4) high = 0x8f;
      }
      if (b < low || b > high) return i;
    }
    i += length;
  }
  return bytes.length;
}

/** Where the last complete character ends, so an incomplete tail can wait for more bytes. */
function completeLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const length = sequenceLength(b);
    return length > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

export class Utf8StreamDecoder {
  #offset = 0;
  #carry: Uint8Array = new Uint8Array(0);
  readonly #decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset;
  }

  decode(chunk: Uint8Array): string {
    const bytes = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
    const cut = completeLength(bytes);
    const complete = bytes.subarray(0, cut);
    if (!isUtf8(complete)) this.#fail(complete, firstInvalidOffset(complete));
    this.#carry = bytes.slice(cut);
    this.#offset += cut;
    return this.#decoder.decode(complete, { stream: true });
  }

  end(): string {
    if (this.#carry.length) {
      throw new Utf8Error(
        this.#offset,
        this.#carry[0],
        `the file ends in the middle of a UTF-8 character at byte offset ${this.#offset}`,
      );
    }
    return this.#decoder.decode();
  }

  #fail(bytes: Uint8Array, at: number): never {
    const offset = this.#offset + at;
    const byte = bytes[at];
    const shown = byte === undefined ? '' : ` (0x${byte.toString(16).toUpperCase().padStart(2, '0')})`;
    throw new Utf8Error(
      offset,
      byte,
      `is not valid UTF-8: byte offset ${offset}${shown}; save the file as "CSV UTF-8"`,
    );
  }
}
