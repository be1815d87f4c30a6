/**
 * The operation table (emulator/gateway/operations/) against AWS's own data: every operation of AWS's
 * S3 API model is routed (emulated, or 501 NotImplemented naming it); every entry's actions are actions
 * of AWS's Service Authorization Reference, on the resource type it lists; a version action sets the
 * keys AWS lists for it (`s3:ExistingObjectTag/<key>` of that version, `s3:VersionId`); docs/gateway.md's
 * tables are the ones the table renders.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../emulator/gateway/operations/classify.ts';
import { withGeneratedBlocks } from '../../emulator/gateway/operations/docs-tables.ts';
import { conditionContext, permissionOf, providesKey } from '../../emulator/gateway/operations/permissions.ts';
import { OTHER_ENDPOINTS } from '../../emulator/gateway/operations/recognise.ts';
import { S3_ACTIONS, S3_ACTIONS_SOURCE } from '../../emulator/gateway/operations/s3-actions.generated.ts';
import { S3_API_OPERATIONS } from '../../emulator/gateway/operations/s3-api.generated.ts';
import { NOT_EMULATED, OPERATIONS, type OperationEntry } from '../../emulator/gateway/operations/table.ts';
import { S3Error } from '../../emulator/gateway/s3-errors.ts';

const entries = Object.entries(OPERATIONS as Record<string, OperationEntry>);

/** A request as the model describes the operation: its method, path, markers and required members. */
function requestOf(row: (typeof S3_API_OPERATIONS)[number]) {
  const query = new Map<string, string>(row.markers.map((m) => [m[0]!, m[1] ?? ''] as [string, string]));
  for (const name of row.requiredQuery) query.set(name, '1');
  const headers = new Map<string, string>(row.requiredHeaders.map((h) => [h, 'src/key'] as [string, string]));
  const bucket = row.shape === 'service' ? undefined : 'b';
  const key = row.shape === 'object' ? 'k' : undefined;
  return { bucket, key, query, header: (name: string) => headers.get(name) };
}

describe('every operation of the model, routed', () => {
  it.each(S3_API_OPERATIONS.filter((row) => !('deprecated' in row) && OTHER_ENDPOINTS[row.name] === undefined))(
    '$name',
    (row) => {
      const { bucket, key, query, header } = requestOf(row);
      let routed: string;
      try {
        routed = classifyRequest(row.method, bucket, key, query, header).operation.name;
      } catch (error) {
        expect(error).toBeInstanceOf(S3Error);
        expect((error as S3Error).code).toBe('NotImplemented');
        expect((error as S3Error).message).toContain(row.name);
        routed = row.name;
      }
      expect(routed).toBe(row.name);
    },
  );

  it('knows why each one it does not emulate is not, and never both emulates and refuses one', () => {
    for (const row of S3_API_OPERATIONS) {
      const emulated = Object.hasOwn(OPERATIONS, row.name);
      expect(emulated || Object.hasOwn(NOT_EMULATED, row.name), row.name).toBe(true);
      expect(emulated && Object.hasOwn(NOT_EMULATED, row.name), row.name).toBe(false);
    }
  });

  it('refuses a subresource no operation has, and a newer operation by name, instead of taking it for a PUT', () => {
    const header = () => undefined;
    expect(() => classifyRequest('PUT', 'b', 'k', new Map([['renameObject', '']]), header)).toThrow(/RenameObject/);
    expect(() => classifyRequest('GET', 'b', 'k', new Map([['frobnicate', '']]), header)).toThrow(/"\?frobnicate"/);
    expect(classifyRequest('GET', 'b', 'k', new Map([['x-id', 'GetObject']]), header).operation.name).toBe('GetObject');
  });
});

describe("entries against AWS's Service Authorization Reference", () => {
  it('has a published date', () => {
    expect(S3_ACTIONS_SOURCE.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(entries)("%s: each action is AWS's, on the resource type AWS lists for it", (_name, entry) => {
    for (const rule of entry.permissions) {
      for (const action of [rule.action, ...(rule.versionAction ? [rule.versionAction] : [])]) {
        const reference = S3_ACTIONS[action];
        expect(reference, action).toBeDefined();
        const types = reference!.resources.map((r) => r.replace(/\*$/, ''));
        if (rule.on === 'service') expect(types, action).toEqual([]);
        else expect(types, action).toContain(rule.on === 'bucket' ? 'bucket' : 'object');
      }
      if (rule.versionAction) expect(S3_ACTIONS[rule.versionAction]!.conditionKeys).toContain('s3:versionid');
    }
  });

  it('sets on each action exactly the keys AWS lists for it that a request here can carry', () => {
    const facts = {
      bucket: 'b',
      key: 'k',
      versionId: 'null',
      header: (name: string) => (name.startsWith('x-amz-') || name.startsWith('if-') ? `value-of-${name}` : undefined),
      query: new Map([
        ['prefix', 'p/'],
        ['delimiter', '/'],
        ['max-keys', '5'],
      ]),
      requestTags: [['team', 'data']] as const,
      existingTags: () => [['classification', 'secret']] as const,
    };
    for (const [, entry] of entries)
      for (const rule of entry.permissions)
        for (const action of [rule.action, ...(rule.versionAction ? [rule.versionAction] : [])]) {
          const set = Object.keys(conditionContext(action, facts)).map((k) =>
            k.toLowerCase().replace(/\/.*$/, '/<key>'),
          );
          const listed = S3_ACTIONS[action]!.conditionKeys.filter(providesKey).map((k) => k.toLowerCase());
          expect(new Set(set), action).toEqual(new Set(listed));
        }
  });

  it('gives a version action the tags of the version it names (the bypass of naming a version)', () => {
    const rule = OPERATIONS.GetObject.permissions[0]!;
    const permission = permissionOf(rule, {
      bucket: 'b',
      key: 'secret.csv',
      versionId: 'null',
      header: () => undefined,
      query: new Map(),
      existingTags: () => [['classification', 'secret']],
    });
    expect(permission.action).toBe('s3:GetObjectVersion');
    expect(permission.context).toMatchObject({
      's3:ExistingObjectTag/classification': 'secret',
      's3:VersionId': 'null',
    });
  });
});

describe('docs/gateway.md', () => {
  it('has the operation tables the table renders (npx tsx scripts/write-gateway-docs.ts rewrites them)', () => {
    const docs = readFileSync('docs/gateway.md', 'utf8');
    expect(
      withGeneratedBlocks(docs) === docs,
      'docs/gateway.md differs: run npx tsx scripts/write-gateway-docs.ts',
    ).toBe(true);
  });
});
