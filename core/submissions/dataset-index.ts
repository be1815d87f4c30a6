/**
 * A template's dataset, kept in memory in its order so that a page of it costs what it returns
 * (docs/api.md): the rows of its members (complete submissions), with update keys applied as
 * `datasetRows` does (dataset.ts): a row whose keys match an earlier one's is its new version, with
 * the first one's id and creation time, and moves to the end (rows come in the order of their last
 * change). Members that join later are read once, when a page is next asked for; a member that leaves
 * (a re-import replaced it) makes the index start again, as its rows may uncover older versions.
 */
import type { MemberRow } from './dataset.ts';
import type { DatasetRow } from './submission-types.ts';

interface Entry {
  /** Grows with every entry: a page's cursor, stable while entries come and go. */
  seq: number;
  row: DatasetRow;
  alive: boolean;
}

export interface DatasetPage {
  rows: DatasetRow[];
  /** The cursor of the next page (`after`), when there is one. */
  next?: string;
}

export class DatasetIndex {
  #entries: Entry[] = [];
  readonly #byKey = new Map<string, Entry>();
  #members: string[] = [];
  #seq = 0;
  #dead = 0;
  /** Updates run one after the other: two pages asked at once must not read a member twice. */
  #updating: Promise<void> = Promise.resolve();

  constructor(private readonly updateKeys: readonly string[]) {}

  /**
   * Brings the index up to `members` (the dataset's submissions, in the order they joined), reading the
   * rows of those it has not seen with `rowsOf`.
   */
  update(members: readonly string[], rowsOf: (submissionId: string) => AsyncIterable<MemberRow>): Promise<void> {
    const run = this.#updating.then(() => this.#catchUp(members, rowsOf));
    this.#updating = run.catch(() => {});
    return run;
  }

  async #catchUp(members: readonly string[], rowsOf: (submissionId: string) => AsyncIterable<MemberRow>) {
    const known = this.#members.length <= members.length && this.#members.every((m, i) => members[i] === m);
    if (!known) this.#reset();
    for (const submissionId of members.slice(this.#members.length)) {
      for await (const row of rowsOf(submissionId)) this.#add(row);
      this.#members.push(submissionId);
    }
    if (this.#dead > this.#entries.length / 2) this.#compact();
  }

  /** At most `limit` rows after the cursor `after` (none: from the first). */
  page(after: string | undefined, limit: number): DatasetPage {
    const rows: DatasetRow[] = [];
    let i = after === undefined ? 0 : this.#firstAfter(Number(after));
    let last: Entry | undefined;
    for (; i < this.#entries.length && rows.length < limit; i++) {
      const entry = this.#entries[i]!;
      if (!entry.alive) continue;
      rows.push(entry.row);
      last = entry;
    }
    while (i < this.#entries.length && !this.#entries[i]!.alive) i++;
    return { rows, ...(i < this.#entries.length && last ? { next: String(last.seq) } : {}) };
  }

  /** Whether `cursor` could have come from this index (a number it has handed out). */
  isCursor(cursor: string): boolean {
    return /^\d+$/.test(cursor) && Number(cursor) <= this.#seq;
  }

  #add(member: MemberRow): void {
    const id = `${member.submissionId}:${member.row}`;
    const key = this.updateKeys.length ? JSON.stringify(this.updateKeys.map((k) => member.values[k] ?? '')) : id;
    const earlier = this.#byKey.get(key);
    if (earlier) {
      earlier.alive = false;
      this.#dead++;
    }
    const entry: Entry = {
      seq: ++this.#seq,
      alive: true,
      row: {
        id: earlier?.row.id ?? id,
        submission: member.submissionId,
        createdAt: earlier?.row.createdAt ?? member.at,
        updatedAt: member.at,
        values: member.values,
      },
    };
    this.#entries.push(entry);
    this.#byKey.set(key, entry);
  }

  /** The index of the first entry whose seq is above `seq` (entries are in seq order). */
  #firstAfter(seq: number): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#entries[middle]!.seq <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  #compact(): void {
    this.#entries = this.#entries.filter((e) => e.alive);
    this.#dead = 0;
  }

  #reset(): void {
    this.#entries = [];
    this.#byKey.clear();
    this.#members = [];
    this.#dead = 0;
  }
}

export interface PageRequest {
  /** The cursor of the page before (its `next`), or none for the first page. */
  after?: string;
  limit: number;
}

/**
 * Pages of every template's dataset, each from an index kept per template (and update keys), for a
 * store that knows its members and can read a member's rows.
 */
export function datasetPager(
  membersOf: (template: string) => readonly string[],
  rowsOf: (submissionId: string) => AsyncIterable<MemberRow>,
): (template: string, updateKeys: readonly string[], request: PageRequest) => Promise<DatasetPage> {
  const indexes = new Map<string, DatasetIndex>();
  return async (template, updateKeys, request) => {
    const name = JSON.stringify([template, updateKeys]);
    let index = indexes.get(name);
    if (!index) indexes.set(name, (index = new DatasetIndex(updateKeys)));
    await index.update([...membersOf(template)], rowsOf);
    return index.page(request.after, request.limit);
  };
}
