/**
 * Generated from the operation table (emulator/gateway/operations/table.ts): for every emulated
 * operation, through the real gateway with the real SDK, a user allowed exactly the actions of its
 * entry succeeds, and the same user with a Deny on them gets 403 AccessDenied (DeleteObjects reports it
 * per key); an operation whose rules have a version action is called again naming the null version,
 * allowed only the version actions. A new entry without a call here fails the type check.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  DeletePublicAccessBlockCommand,
  GetBucketPolicyStatusCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type DeleteObjectsCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../core/iam/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { OPERATIONS, type EmulatedOperation, type OperationEntry } from '../../emulator/gateway/operations/table.ts';
import { expectS3Error, loadWorkspace, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-claravine';
const PROBE = {
  name: 'probe',
  accessKeyId: 'AKIAPROBE00000000001',
  secretAccessKey: 'probeSecret00000000000000000000000000001',
};

/** What a call needs made first (by admin), and the call itself, made by the probe user. */
type Call = (probe: S3Client, admin: S3Client, n: number) => Promise<unknown>;
interface Calls {
  plain: Call;
  /** The same call naming the null version (the version actions). */
  version?: Call;
}

let counter = 0;
const object = async (admin: S3Client, n: number) => {
  const Key = `ops/object-${n}.txt`;
  await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `object ${n}`, Tagging: 'k=v' }));
  return Key;
};
const scratchBucket = async (admin: S3Client, n: number) => {
  const Bucket = `probe-scratch-${n}`;
  await admin.send(new CreateBucketCommand({ Bucket }));
  return Bucket;
};
const upload = async (admin: S3Client, n: number) => {
  const Key = await object(admin, n);
  const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key }));
  return { Key, UploadId: UploadId! };
};

const denyDeleteBucket = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: `arn:aws:s3:::${bucket}` }],
});

const CALLS = {
  ListBuckets: { plain: (p) => p.send(new ListBucketsCommand({})) },
  CreateBucket: { plain: (p, _a, n) => p.send(new CreateBucketCommand({ Bucket: `probe-made-${n}` })) },
  DeleteBucket: { plain: async (p, a, n) => p.send(new DeleteBucketCommand({ Bucket: await scratchBucket(a, n) })) },
  HeadBucket: { plain: (p) => p.send(new HeadBucketCommand({ Bucket: BUCKET })) },
  ListObjects: { plain: (p) => p.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'ops/' })) },
  ListObjectsV2: { plain: (p) => p.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'ops/' })) },
  ListObjectVersions: { plain: (p) => p.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'ops/' })) },
  GetBucketLocation: { plain: (p) => p.send(new GetBucketLocationCommand({ Bucket: BUCKET })) },
  GetBucketVersioning: { plain: (p) => p.send(new GetBucketVersioningCommand({ Bucket: BUCKET })) },
  PutBucketVersioning: {
    plain: async (p, a, n) =>
      p.send(
        new PutBucketVersioningCommand({
          Bucket: await scratchBucket(a, n),
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      ),
  },
  // The demo's buckets declare no default encryption: the answer after authorization is that error.
  GetBucketEncryption: {
    plain: (p) =>
      p.send(new GetBucketEncryptionCommand({ Bucket: BUCKET })).catch((error: Error) => {
        if (error.name !== 'ServerSideEncryptionConfigurationNotFoundError') throw error;
      }),
  },
  GetBucketPolicy: {
    plain: async (p, a, n) => {
      const Bucket = await scratchBucket(a, n);
      await a.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(denyDeleteBucket(Bucket)) }));
      return p.send(new GetBucketPolicyCommand({ Bucket }));
    },
  },
  PutBucketPolicy: {
    plain: async (p, a, n) => {
      const Bucket = await scratchBucket(a, n);
      return p.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(denyDeleteBucket(Bucket)) }));
    },
  },
  DeleteBucketPolicy: {
    plain: async (p, a, n) => p.send(new DeleteBucketPolicyCommand({ Bucket: await scratchBucket(a, n) })),
  },
  GetPublicAccessBlock: {
    plain: async (p, a, n) => {
      const Bucket = await scratchBucket(a, n);
      await a.send(
        new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }),
      );
      return p.send(new GetPublicAccessBlockCommand({ Bucket }));
    },
  },
  PutPublicAccessBlock: {
    plain: async (p, a, n) =>
      p.send(
        new PutPublicAccessBlockCommand({
          Bucket: await scratchBucket(a, n),
          PublicAccessBlockConfiguration: { BlockPublicAcls: true },
        }),
      ),
  },
  DeletePublicAccessBlock: {
    plain: async (p, a, n) => p.send(new DeletePublicAccessBlockCommand({ Bucket: await scratchBucket(a, n) })),
  },
  GetBucketPolicyStatus: { plain: (p) => p.send(new GetBucketPolicyStatusCommand({ Bucket: BUCKET })) },
  ListMultipartUploads: { plain: (p) => p.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })) },
  GetBucketAcl: { plain: (p) => p.send(new GetBucketAclCommand({ Bucket: BUCKET })) },
  PutBucketAcl: { plain: (p) => p.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'private' })) },
  DeleteObjects: {
    plain: async (p, a, n) =>
      p.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: await object(a, n) }] } })),
    version: async (p, a, n) =>
      p.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: [{ Key: await object(a, n), VersionId: 'null' }] },
        }),
      ),
  },
  GetObject: {
    plain: async (p, a, n) => p.send(new GetObjectCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new GetObjectCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
  HeadObject: {
    plain: async (p, a, n) => p.send(new HeadObjectCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new HeadObjectCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
  GetObjectAttributes: {
    plain: async (p, a, n) =>
      p.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: await object(a, n), ObjectAttributes: ['ETag'] })),
    version: async (p, a, n) =>
      p.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: await object(a, n),
          VersionId: 'null',
          ObjectAttributes: ['ObjectSize'],
        }),
      ),
  },
  PutObject: {
    plain: (p, _a, n) =>
      p.send(new PutObjectCommand({ Bucket: BUCKET, Key: `ops/put-${n}`, Body: 'x', Tagging: 'a=b' })),
  },
  CopyObject: {
    plain: async (p, a, n) =>
      p.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: `ops/copy-${n}`,
          CopySource: `${BUCKET}/${await object(a, n)}`,
          TaggingDirective: 'REPLACE',
          Tagging: 'a=b',
        }),
      ),
    version: async (p, a, n) =>
      p.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: `ops/copy-${n}`,
          CopySource: `${BUCKET}/${await object(a, n)}?versionId=null`,
          TaggingDirective: 'REPLACE',
          Tagging: 'a=b',
        }),
      ),
  },
  DeleteObject: {
    plain: async (p, a, n) => p.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
  CreateMultipartUpload: {
    plain: (p, _a, n) =>
      p.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `ops/mpu-${n}`, Tagging: 'a=b' })),
  },
  UploadPart: {
    plain: async (p, a, n) =>
      p.send(new UploadPartCommand({ Bucket: BUCKET, ...(await upload(a, n)), PartNumber: 1, Body: 'part' })),
  },
  UploadPartCopy: {
    plain: async (p, a, n) => {
      const target = await upload(a, n);
      return p.send(
        new UploadPartCopyCommand({ Bucket: BUCKET, ...target, PartNumber: 1, CopySource: `${BUCKET}/${target.Key}` }),
      );
    },
    version: async (p, a, n) => {
      const target = await upload(a, n);
      return p.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          ...target,
          PartNumber: 1,
          CopySource: `${BUCKET}/${target.Key}?versionId=null`,
        }),
      );
    },
  },
  CompleteMultipartUpload: {
    plain: async (p, a, n) => {
      const target = await upload(a, n);
      const { ETag } = await a.send(new UploadPartCommand({ Bucket: BUCKET, ...target, PartNumber: 1, Body: 'part' }));
      return p.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          ...target,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
        }),
      );
    },
  },
  AbortMultipartUpload: {
    plain: async (p, a, n) => p.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, ...(await upload(a, n)) })),
  },
  ListParts: { plain: async (p, a, n) => p.send(new ListPartsCommand({ Bucket: BUCKET, ...(await upload(a, n)) })) },
  GetObjectAcl: {
    plain: async (p, a, n) => p.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
  PutObjectAcl: {
    plain: async (p, a, n) =>
      p.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: await object(a, n), ACL: 'private' })),
    version: async (p, a, n) =>
      p.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: await object(a, n), ACL: 'private', VersionId: 'null' })),
  },
  GetObjectTagging: {
    plain: async (p, a, n) => p.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
  PutObjectTagging: {
    plain: async (p, a, n) =>
      p.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: await object(a, n),
          Tagging: { TagSet: [{ Key: 'x', Value: 'y' }] },
        }),
      ),
    version: async (p, a, n) =>
      p.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: await object(a, n),
          VersionId: 'null',
          Tagging: { TagSet: [{ Key: 'x', Value: 'y' }] },
        }),
      ),
  },
  DeleteObjectTagging: {
    plain: async (p, a, n) => p.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: await object(a, n) })),
    version: async (p, a, n) =>
      p.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: await object(a, n), VersionId: 'null' })),
  },
} satisfies Record<EmulatedOperation, Calls>;

let stack: TestStack;
let base: Workspace;
beforeAll(async () => {
  base = loadWorkspace();
  stack = await startStack(base);
  // The demo bucket's policy governs its own users: here only the probe's identity policy decides.
  await stack.client('admin').send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
});
afterAll(() => stack.stop());

async function probeWith(statements: PolicyDocument['Statement']): Promise<S3Client> {
  const probe = { ...PROBE, policies: [{ Version: '2012-10-17', Statement: statements }] };
  const workspace = { ...base, iam: { ...base.iam, users: [...base.iam.users, probe] } } as Workspace;
  await stack.gateway.reconfigure(workspace);
  return clientFor(probe);
}

/** A client with the probe's keys (the stack's own helper knows only the workspace it started with). */
function clientFor(user: typeof PROBE): S3Client {
  return new S3Client({
    endpoint: stack.endpoint,
    region: base.region,
    forcePathStyle: true,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
  });
}

const deniedKeys = (result: unknown) => (result as DeleteObjectsCommandOutput).Errors?.map((e) => e.Code) ?? [];

function actionsOf(entry: OperationEntry, variant: 'plain' | 'version'): string[] {
  return entry.permissions.map((rule) => (variant === 'version' ? (rule.versionAction ?? rule.action) : rule.action));
}

const cases = (Object.keys(CALLS) as EmulatedOperation[]).flatMap((name) => {
  const calls: Calls = CALLS[name];
  return [
    [name, 'plain' as const, calls.plain] as const,
    ...(calls.version ? [[name, 'version' as const, calls.version] as const] : []),
  ];
});

describe('every emulated operation, allowed exactly its actions, then denied them', () => {
  it('has a call naming the null version for each operation whose rules have a version action', () => {
    for (const [name, entry] of Object.entries(OPERATIONS as Record<string, OperationEntry>)) {
      const versioned = entry.permissions.some((rule) => rule.versionAction !== undefined);
      expect((CALLS as Record<string, Calls>)[name]?.version !== undefined, name).toBe(versioned);
    }
  });

  it.each(cases)('%s (%s)', async (name, variant, call) => {
    const admin = stack.client('admin');
    const actions = actionsOf(OPERATIONS[name], variant);
    const allow = { Effect: 'Allow' as const, Action: actions, Resource: '*' };
    const allowed = await probeWith([allow]);
    const result = await call(allowed, admin, ++counter);
    if (name === 'DeleteObjects') expect(deniedKeys(result)).toEqual([]);
    const denied = await probeWith([allow, { Effect: 'Deny', Action: actions, Resource: '*' }]);
    if (name === 'DeleteObjects') expect(deniedKeys(await call(denied, admin, ++counter))).toEqual(['AccessDenied']);
    else await expectS3Error(call(denied, admin, ++counter), name.startsWith('Head') ? 'Unknown' : 'AccessDenied', 403);
  });
});
