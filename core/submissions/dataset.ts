/**
 * A template's dataset: the rows of its complete submissions, oldest first (docs/api.md). With update
 * keys, a row whose keys match an earlier row's exactly (case and spaces count) is a new version of
 * it: the latest version is kept, with the first one's id and creation time, and rows come in the
 * order of their last change. Every store reads its rows and hands them here.
 */
import type { DatasetRow } from './submission-types.ts';

/** One stored row of a dataset member: its submission, row number, commit time and values. */
export interface MemberRow {
  submissionId: string;
  row: number;
  /** When its submission was submitted. */
  at: string;
  values: Record<string, string>;
}

/** `rowsOf` gives a fresh pass over the members' rows each call (update keys read them twice, to stay streaming). */
export async function* datasetRows(
  rowsOf: () => AsyncIterable<MemberRow>,
  updateKeys: readonly string[],
): AsyncGenerator<DatasetRow> {
  const idOf = (r: MemberRow) => `${r.submissionId}:${r.row}`;
  if (updateKeys.length === 0) {
    for await (const r of rowsOf())
      yield { id: idOf(r), submission: r.submissionId, createdAt: r.at, updatedAt: r.at, values: r.values };
    return;
  }
  const keyOf = (values: Record<string, string>) => JSON.stringify(updateKeys.map((k) => values[k] ?? ''));
  const versions = new Map<string, { id: string; createdAt: string; latest: string }>();
  for await (const r of rowsOf()) {
    const key = keyOf(r.values);
    const seen = versions.get(key);
    versions.set(key, seen ? { ...seen, latest: idOf(r) } : { id: idOf(r), createdAt: r.at, latest: idOf(r) });
  }
  for await (const r of rowsOf()) {
    const version = versions.get(keyOf(r.values))!;
    if (version.latest !== idOf(r)) continue;
    yield {
      id: version.id,
      submission: r.submissionId,
      createdAt: version.createdAt,
      updatedAt: r.at,
      values: r.values,
    };
  }
}
