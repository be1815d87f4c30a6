/** Runs an `expectObject` step (docs/scenarios.md). */
import { readScenarioText } from '../load-scenario.ts';
import { FILE_FORMATS, formatOfKey } from '../../../core/outbound/index.ts';
import { cellDiff, differenceOf, jsonDiff, matchesSubset, projectOnto, unifiedDiff } from '../compare.ts';
import { Mismatch, type RunContext, describeError } from '../run-context.ts';
import type { ObjectStep } from '../../../core/scenarios/index.ts';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';

/** The rows as its format reads them (core/outbound/file-formats.ts); a key of no known format is read as CSV. */
function parseRows(bytes: Uint8Array, key: string, delimiter: string | undefined): unknown {
  return (formatOfKey(key) ?? FILE_FORMATS.csv).read(bytes, delimiter === undefined ? {} : { delimiter });
}

export async function expectObject(ctx: RunContext, step: ObjectStep): Promise<void> {
  await ctx.harness.engine.idle();
  const client = ctx.client(step.as);
  let key = step.key;
  if (step.keyPattern !== undefined) {
    const pattern = new RegExp(step.keyPattern);
    let listed;
    try {
      listed = await client.send(new ListObjectsV2Command({ Bucket: step.bucket }));
    } catch (error) {
      throw new Mismatch(
        `cannot list s3://${step.bucket} as ${step.as} to find a key matching /${step.keyPattern}/: ${describeError(error)}`,
      );
    }
    const keys = (listed.Contents ?? []).map((c) => c.Key ?? '').filter((k) => pattern.test(k));
    if (keys.length !== 1)
      throw new Mismatch(
        `expected one key in s3://${step.bucket} matching /${step.keyPattern}/, found ${keys.length}${keys.length ? `: ${keys.join(', ')}` : ''}`,
      );
    key = keys[0]!;
  }
  const where = `s3://${step.bucket}/${key}`;
  let bytes: Uint8Array;
  let sse: string | undefined;
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: step.bucket, Key: key }));
    sse = got.ServerSideEncryption;
    bytes = await got.Body!.transformToByteArray();
  } catch (error) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: step.bucket })).then(
      (r) => (r.Contents ?? []).map((c) => c.Key).join(', '),
      () => undefined,
    );
    throw new Mismatch(
      `cannot read ${where} as ${step.as}: ${describeError(error)}${listed !== undefined ? `; the bucket holds: ${listed || 'nothing'}` : ''}`,
    );
  }
  if (step.sse && (sse ?? 'none') !== step.sse)
    throw new Mismatch(`${where}: expected server-side encryption ${step.sse}, got ${sse ?? 'none'}`);
  const text = () => Buffer.from(bytes).toString('utf8');
  if (step.equalsFile !== undefined) {
    const expected = await readScenarioText(ctx.loaded.directory, step.equalsFile);
    // A workbook holds its creation time: two equal workbooks are equal cell for cell, not byte for byte.
    const format = formatOfKey(key!);
    const detail = format?.binary
      ? cellDiff(format.read(expected) as string[][], format.read(bytes) as string[][])
      : expected.equals(bytes)
        ? ''
        : unifiedDiff(expected.toString('utf8'), text(), step.equalsFile, where);
    if (detail) throw new Mismatch(`${where} differs from ${step.equalsFile}`, detail);
  }
  if (step.text !== undefined && text() !== step.text)
    throw new Mismatch(`${where} differs from the expected text`, unifiedDiff(step.text, text()));
  if (step.rows !== undefined) {
    let rows: unknown;
    try {
      rows = parseRows(bytes, key!, step.delimiter);
    } catch (error) {
      throw new Mismatch(`${where} cannot be parsed: ${(error as Error).message}`);
    }
    if (!matchesSubset(step.rows, rows)) {
      const isTable = (value: unknown): value is unknown[][] =>
        Array.isArray(value) && value.every((row) => Array.isArray(row));
      const table = isTable(rows) && isTable(step.rows);
      const detail = differenceOf(step.rows, rows, () =>
        table
          ? cellDiff(step.rows as unknown[][], rows as string[][])
          : jsonDiff(step.rows, projectOnto(step.rows, rows)),
      );
      throw new Mismatch(`the rows of ${where} differ`, detail);
    }
  }
}
