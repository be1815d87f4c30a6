/**
 * A dataset read page by page (core/submissions/dataset-index.ts) is the dataset read whole
 * (core/submissions/dataset.ts): for random members joining in turns, random update keys and values,
 * a member replaced, and pages of any size, the pages joined are the rows in the same order.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DatasetIndex, datasetRows, type DatasetRow, type MemberRow } from '../../core/submissions/index.ts';

const member = fc.array(
  fc.record({ Campaign: fc.constantFrom('Spring', 'Summer', 'spring'), Market: fc.constantFrom('FR', 'DE') }),
  {
    maxLength: 4,
  },
);

async function whole(
  members: string[],
  rows: Map<string, MemberRow[]>,
  updateKeys: readonly string[],
): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const row of datasetRows(async function* () {
    for (const m of members) yield* rows.get(m) ?? [];
  }, updateKeys))
    out.push(row);
  return out;
}

async function paged(index: DatasetIndex, limit: number): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = index.page(after, limit);
    out.push(...page.rows);
    if (!page.next) return out;
    after = page.next;
  }
  throw new Error('too many pages');
}

describe('dataset pages', () => {
  test.prop([
    fc.array(member, { minLength: 1, maxLength: 8 }),
    fc.constantFrom([], ['Campaign'], ['Campaign', 'Market']),
    fc.integer({ min: 1, max: 5 }),
    fc.option(fc.nat(7)),
  ])(
    'joined page by page are the dataset read whole, as members join and one is replaced',
    async (values, updateKeys, limit, replaced) => {
      const rows = new Map<string, MemberRow[]>();
      values.forEach((member, i) =>
        rows.set(
          `s${i}`,
          member.map((v, r) => ({
            submissionId: `s${i}`,
            row: r + 2,
            at: `2026-01-0${(i % 9) + 1}T00:00:00Z`,
            values: v,
          })),
        ),
      );
      const index = new DatasetIndex(updateKeys);
      const rowsOf = async function* (id: string) {
        yield* rows.get(id) ?? [];
      };
      const members: string[] = [];
      for (const id of rows.keys()) {
        members.push(id);
        await index.update(members, rowsOf);
        expect(await paged(index, limit)).toEqual(await whole(members, rows, updateKeys));
      }
      if (replaced !== null && replaced < members.length) {
        members.splice(replaced, 1);
        await index.update(members, rowsOf);
        expect(await paged(index, limit)).toEqual(await whole(members, rows, updateKeys));
      }
    },
  );
});
