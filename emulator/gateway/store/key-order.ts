/**
 * S3 lists keys in the order of their UTF-8 bytes. JavaScript compares strings by UTF-16 code units,
 * which agrees except between a surrogate (U+D800-U+DFFF, half of a character above U+FFFF) and a
 * character in U+E000-U+FFFF: the comparison fixes that case instead of encoding both keys.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates move above U+E000-U+FFFF; both move down by the same amount otherwise.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** The index of the first key not below `key` in a sorted array. */
export function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(keys[middle]!, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Adds a key to a sorted array (no-op when it is there). */
export function insertKey(keys: string[], key: string): void {
  const at = lowerBound(keys, key);
  if (keys[at] !== key) keys.splice(at, 0, key);
}

/** Removes a key from a sorted array (no-op when it is not there). */
export function removeKey(keys: string[], key: string): void {
  const at = lowerBound(keys, key);
  if (keys[at] === key) keys.splice(at, 1);
}
