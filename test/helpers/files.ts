/** Feeds text or bytes to a streaming consumer in chunks of the given sizes (cycled). */
export async function* chunked<T extends string | Uint8Array>(
  content: T,
  sizes: readonly number[] = [65536],
): AsyncGenerator<T> {
  let i = 0;
  let k = 0;
  while (i < content.length) {
    const size = Math.max(1, sizes[k++ % sizes.length]!);
    yield content.slice(i, i + size) as T;
    i += size;
  }
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
