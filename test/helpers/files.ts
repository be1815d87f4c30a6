/** Feeds bytes to a streaming consumer in chunks of the given sizes (cycled). */
export async function* chunked(bytes: Uint8Array, sizes: readonly number[] = [65536]): AsyncGenerator<Uint8Array> {
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const size = Math.max(1, sizes[k++ % sizes.length]!);
    yield bytes.subarray(i, i + size);
    i += size;
  }
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
