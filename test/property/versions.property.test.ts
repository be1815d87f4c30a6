/**
 * Version ordering against a model of AWS's rules: any sequence of writes, deletes, deletes of a
 * version and Enabled/Suspended switches leaves ListObjectVersions listing the versions and delete
 * markers newest first, the newest one latest, and GET answering the latest (or 404 under a marker).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.ts';

type Step =
  | { kind: 'put'; body: string }
  | { kind: 'delete' }
  | { kind: 'delete-version'; pick: number }
  | { kind: 'status'; status: 'Enabled' | 'Suspended' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), body: fc.string({ maxLength: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete-version' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('status' as const), status: fc.constantFrom('Enabled', 'Suspended') }),
  },
);

interface ModelVersion {
  id: string;
  marker: boolean;
  body?: string;
}

let stack: TestStack;
let bucketCount = 0;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('versions', () => {
  test.prop([fc.array(step, { minLength: 1, maxLength: 10 })], { numRuns: 20 })(
    'any sequence of writes and deletes lists versions newest first and reads the latest',
    async (steps) => {
      const admin = stack.client('admin');
      const Bucket = `ver-prop-${++bucketCount}`;
      const Key = 'k';
      await admin.send(new CreateBucketCommand({ Bucket }));
      let status: 'Enabled' | 'Suspended' = 'Enabled';
      await admin.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: status } }));
      let model: ModelVersion[] = []; // newest first
      const withoutNull = () => (model = model.filter((v) => v.id !== 'null'));
      for (const s of steps) {
        if (s.kind === 'status') {
          status = s.status;
          await admin.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: status } }));
        } else if (s.kind === 'put') {
          const { VersionId } = await admin.send(new PutObjectCommand({ Bucket, Key, Body: s.body }));
          if (status === 'Suspended') withoutNull();
          model.unshift({ id: VersionId ?? 'null', marker: false, body: s.body });
        } else if (s.kind === 'delete') {
          const { VersionId, DeleteMarker } = await admin.send(new DeleteObjectCommand({ Bucket, Key }));
          expect(DeleteMarker).toBe(true);
          if (status === 'Suspended') withoutNull();
          model.unshift({ id: VersionId!, marker: true });
        } else if (model.length > 0) {
          const target = model[s.pick % model.length]!;
          await admin.send(new DeleteObjectCommand({ Bucket, Key, VersionId: target.id }));
          model = model.filter((v) => v !== target);
        }
        const listed = await admin.send(new ListObjectVersionsCommand({ Bucket }));
        const latest = (v: ModelVersion) => v === model[0];
        expect((listed.Versions ?? []).map((v) => [v.VersionId, v.IsLatest])).toEqual(
          model.filter((v) => !v.marker).map((v) => [v.id, latest(v)]),
        );
        expect((listed.DeleteMarkers ?? []).map((v) => [v.VersionId, v.IsLatest])).toEqual(
          model.filter((v) => v.marker).map((v) => [v.id, latest(v)]),
        );
        const got = await admin.send(new GetObjectCommand({ Bucket, Key })).then(
          async (r) => r.Body!.transformToString(),
          (e: Error) => e.name,
        );
        expect(got).toBe(model[0] && !model[0].marker ? model[0].body : 'NoSuchKey');
      }
    },
  );
});
