/**
 * Records keyed by names users choose (buckets, templates, fields, ids): null-prototype objects, so a
 * name such as `constructor`, `toString` or `__proto__` is a key like any other and never finds, or
 * replaces, what `Object.prototype` holds. They serialise to JSON like plain objects (docs/security.md).
 */
export type Dictionary<T> = Record<string, T>;

/** A null-prototype record holding `entries` (a record read from JSON, or pairs). */
export function dictionary<T>(
  entries: Readonly<Record<string, T>> | Iterable<readonly [string, T]> = [],
): Dictionary<T> {
  const out = Object.create(null) as Dictionary<T>;
  const pairs =
    Symbol.iterator in entries
      ? (entries as Iterable<readonly [string, T]>)
      : Object.entries(entries as Record<string, T>);
  // Defined, not assigned: `__proto__` is then an own key even on a record that has a prototype.
  for (const [key, value] of pairs)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/** `record[key]` when the record holds `key` itself, never a property inherited from a prototype. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
