/**
 * `s3-harness mirror`: reads what governs an integration in the customer's real AWS account (the
 * buckets' policy, default encryption, versioning and region; the IAM user's inline, attached and
 * group policies and permissions boundary) and turns it into a workspace that reproduces it locally
 * (docs/go-live.md). Local keys are generated; the customer's credentials are used for the calls only,
 * never written, logged or shown. A call that is refused is reported with what it would have added,
 * and the rest is still mirrored.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetGroupPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  paginateListAttachedGroupPolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
  type AttachedPolicy,
} from '@aws-sdk/client-iam';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { attempt, clientConfig, describeError, type AwsAccess, type AwsError, type FailureKind } from './aws-calls.ts';
import type { PolicyDocument } from '../../core/iam/index.ts';
import { PUBLIC_ACCESS_BLOCK_SETTINGS } from '../../core/workspace/index.ts';

export interface MirrorOptions extends AwsAccess {
  buckets: string[];
  /** The IAM user to mirror; default: the user whose credentials make the calls (iam:GetUser). */
  userName?: string;
  /** Where the calls go before a bucket's own region is known. @default 'us-east-1' */
  region?: string;
}

/** One thing the mirror could not read (and what the workspace lacks because of it), or a remark. */
export interface MirrorNote {
  call: string;
  /** `refused: AccessDenied: ...`, `AWS could not be reached: ENOTFOUND ...` */
  outcome: string;
  consequence: string;
  /** Why the call failed; none for a remark (an object skipped, SSE-KMS not emulated). */
  kind?: FailureKind;
}

export interface MirrorResult {
  /** The workspace file's JSON (docs/workspace.md), ready to write. */
  workspace: Record<string, unknown>;
  notes: MirrorNote[];
  /** What was read, in one line each (never a secret). */
  read: string[];
}

/** IAM returns policy documents URL-encoded. */
function policyDocument(text: string | undefined): PolicyDocument | undefined {
  if (!text) return undefined;
  return JSON.parse(decodeURIComponent(text)) as PolicyDocument;
}

/** A local key pair: the customer's keys are never copied. */
function localKeys(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIAMIRROR${randomBytes(5).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/** `LocationConstraint`: empty for us-east-1, `EU` for eu-west-1 (older buckets). */
function regionOf(constraint: string | undefined): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

class Mirror {
  readonly notes: MirrorNote[] = [];
  readonly read: string[] = [];
  readonly iam: IAMClient;
  private readonly clientOptions: { region: string } & AwsAccess;

  constructor(options: MirrorOptions) {
    this.clientOptions = clientConfig(options.region ?? 'us-east-1', options);
    this.iam = new IAMClient(this.clientOptions);
  }

  note(call: string, error: AwsError, consequence: string): void {
    this.notes.push({ call, outcome: describeError(error), consequence, kind: error.kind });
  }

  s3(region: string): S3Client {
    return new S3Client({ ...this.clientOptions, region });
  }

  async managedPolicy(attached: AttachedPolicy, holder: string): Promise<PolicyDocument | undefined> {
    const arn = attached.PolicyArn ?? '';
    const policy = await attempt(() => this.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    if (!policy.ok) {
      this.note(
        `iam:GetPolicy ${arn}`,
        policy.error,
        `the managed policy ${attached.PolicyName} of ${holder} is missing`,
      );
      return undefined;
    }
    const versionId = policy.value.Policy?.DefaultVersionId ?? '';
    const version = await attempt(() =>
      this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId })),
    );
    if (!version.ok) {
      this.note(
        `iam:GetPolicyVersion ${arn} ${versionId}`,
        version.error,
        `the managed policy ${attached.PolicyName} of ${holder} is missing`,
      );
      return undefined;
    }
    this.read.push(`managed policy ${attached.PolicyName} (${versionId}) of ${holder}`);
    return policyDocument(version.value.PolicyVersion?.Document);
  }

  /** The inline policies of a user or a group (ListUserPolicies + GetUserPolicy, or the group's). */
  async inlinePolicies(kind: 'user' | 'group', name: string): Promise<PolicyDocument[]> {
    const holder = `${kind} ${name}`;
    const inline = await attempt(async () => {
      const names: string[] = [];
      const pages =
        kind === 'user'
          ? paginateListUserPolicies({ client: this.iam }, { UserName: name })
          : paginateListGroupPolicies({ client: this.iam }, { GroupName: name });
      for await (const page of pages) names.push(...(page.PolicyNames ?? []));
      return names;
    });
    const listCall = kind === 'user' ? 'iam:ListUserPolicies' : 'iam:ListGroupPolicies';
    if (!inline.ok) this.note(listCall, inline.error, `the inline policies of ${holder} are missing`);
    const policies: PolicyDocument[] = [];
    for (const policyName of inline.ok ? inline.value : []) {
      const got = await attempt<{ PolicyDocument?: string }>(() =>
        kind === 'user'
          ? this.iam.send(new GetUserPolicyCommand({ UserName: name, PolicyName: policyName }))
          : this.iam.send(new GetGroupPolicyCommand({ GroupName: name, PolicyName: policyName })),
      );
      const getCall = kind === 'user' ? 'iam:GetUserPolicy' : 'iam:GetGroupPolicy';
      if (!got.ok)
        this.note(`${getCall} ${policyName}`, got.error, `the inline policy ${policyName} of ${holder} is missing`);
      else {
        this.read.push(`inline policy ${policyName} of ${holder}`);
        policies.push(policyDocument(got.value.PolicyDocument)!);
      }
    }
    return policies;
  }

  /** Inline and attached policies of the user, then of each of its groups. */
  async userPolicies(userName: string): Promise<PolicyDocument[]> {
    const policies = await this.inlinePolicies('user', userName);
    policies.push(...(await this.attachedPolicies('user', userName)));
    const groups = await attempt(async () => {
      const names: string[] = [];
      for await (const page of paginateListGroupsForUser({ client: this.iam }, { UserName: userName }))
        names.push(...(page.Groups ?? []).map((g) => g.GroupName ?? ''));
      return names;
    });
    if (!groups.ok)
      this.note('iam:ListGroupsForUser', groups.error, `the policies of the groups of user ${userName} are missing`);
    for (const group of groups.ok ? groups.value : []) policies.push(...(await this.groupPolicies(group)));
    return policies;
  }

  async attachedPolicies(kind: 'user' | 'group', name: string): Promise<PolicyDocument[]> {
    const holder = `${kind} ${name}`;
    const attached = await attempt(async () => {
      const all: AttachedPolicy[] = [];
      const pages =
        kind === 'user'
          ? paginateListAttachedUserPolicies({ client: this.iam }, { UserName: name })
          : paginateListAttachedGroupPolicies({ client: this.iam }, { GroupName: name });
      for await (const page of pages) all.push(...(page.AttachedPolicies ?? []));
      return all;
    });
    if (!attached.ok) {
      const call = kind === 'user' ? 'iam:ListAttachedUserPolicies' : 'iam:ListAttachedGroupPolicies';
      this.note(call, attached.error, `the managed policies attached to ${holder} are missing`);
      return [];
    }
    const documents: PolicyDocument[] = [];
    for (const policy of attached.value) {
      const document = await this.managedPolicy(policy, holder);
      if (document) documents.push(document);
    }
    return documents;
  }

  async groupPolicies(group: string): Promise<PolicyDocument[]> {
    const policies = await this.inlinePolicies('group', group);
    return [...policies, ...(await this.attachedPolicies('group', group))];
  }

  async bucket(name: string): Promise<{ entry: Record<string, unknown>; region: string }> {
    const location = await attempt(() =>
      this.s3(this.clientOptions.region).send(new GetBucketLocationCommand({ Bucket: name })),
    );
    if (!location.ok)
      this.note(
        `s3:GetBucketLocation ${name}`,
        location.error,
        `the region of ${name} is assumed to be ${this.clientOptions.region}`,
      );
    const region = location.ok ? regionOf(location.value.LocationConstraint) : this.clientOptions.region;
    const s3 = this.s3(region);
    const entry: Record<string, unknown> = { name };
    const policy = await attempt(() => s3.send(new GetBucketPolicyCommand({ Bucket: name })));
    if (policy.ok && policy.value.Policy) {
      entry.policy = JSON.parse(policy.value.Policy) as PolicyDocument;
      this.read.push(`bucket policy of ${name}`);
    } else if (!policy.ok && policy.error.name !== 'NoSuchBucketPolicy')
      this.note(`s3:GetBucketPolicy ${name}`, policy.error, `${name} has no bucket policy in the workspace`);
    const encryption = await attempt(() => s3.send(new GetBucketEncryptionCommand({ Bucket: name })));
    if (encryption.ok) {
      const algorithm =
        encryption.value.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
          ?.SSEAlgorithm;
      // Since January 2023 every bucket encrypts new objects with SSE-S3 at least.
      entry.defaultEncryption = 'AES256';
      if (algorithm && algorithm !== 'AES256')
        this.notes.push({
          call: `s3:GetBucketEncryption ${name}`,
          outcome: `default encryption ${algorithm}`,
          consequence: 'SSE-KMS is not emulated: the workspace encrypts with AES256 (SSE-S3)',
        });
      this.read.push(`default encryption of ${name} (${algorithm ?? 'none'})`);
    } else
      this.note(`s3:GetBucketEncryption ${name}`, encryption.error, `${name}'s default encryption is left as "none"`);
    const versioning = await attempt(() => s3.send(new GetBucketVersioningCommand({ Bucket: name })));
    if (versioning.ok) {
      if (versioning.value.Status) entry.versioning = versioning.value.Status;
      this.read.push(`versioning of ${name} (${versioning.value.Status ?? 'never enabled'})`);
    } else this.note(`s3:GetBucketVersioning ${name}`, versioning.error, `${name} is mirrored as never versioned`);
    const block = await attempt(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: name })));
    if (block.ok) {
      const config = block.value.PublicAccessBlockConfiguration ?? {};
      entry.publicAccessBlock = Object.fromEntries(
        PUBLIC_ACCESS_BLOCK_SETTINGS.map((setting) => [setting, config[setting] === true]),
      );
      const on = PUBLIC_ACCESS_BLOCK_SETTINGS.filter((setting) => config[setting] === true);
      this.read.push(`public access block of ${name} (${on.length ? on.join(', ') : 'all off'})`);
    }
    return { entry, region };
  }
}

/** Reads the account and returns the workspace that reproduces it, with what could not be read. */
export async function mirrorAccount(options: MirrorOptions): Promise<MirrorResult> {
  const mirror = new Mirror(options);
  const me = await attempt(() =>
    mirror.iam.send(new GetUserCommand(options.userName ? { UserName: options.userName } : {})),
  );
  // Unreachable AWS or unusable credentials make every other call fail the same way: said once.
  if (!me.ok && (me.error.kind === 'network' || me.error.kind === 'credentials'))
    throw new MirrorError(`nothing could be read: ${describeError(me.error)}`);
  const userName = me.ok ? (me.value.User?.UserName ?? options.userName) : options.userName;
  if (!me.ok) mirror.note('iam:GetUser', me.error, 'the account id and the permissions boundary are unknown');
  if (!userName)
    throw new MirrorError(
      `iam:GetUser ${describeError((me as { error: AwsError }).error)}: name the user to mirror with --user`,
    );
  const accountId = /^arn:aws:iam::(\d{12}):/.exec(me.ok ? (me.value.User?.Arn ?? '') : '')?.[1] ?? '000000000000';
  const policies = await mirror.userPolicies(userName);
  const boundaryArn = me.ok ? me.value.User?.PermissionsBoundary?.PermissionsBoundaryArn : undefined;
  const boundary = boundaryArn
    ? await mirror.managedPolicy(
        { PolicyArn: boundaryArn, PolicyName: boundaryArn.split('/').pop() ?? boundaryArn },
        `the boundary of user ${userName}`,
      )
    : undefined;
  const buckets: Record<string, unknown>[] = [];
  let region = options.region ?? 'us-east-1';
  for (const [index, name] of options.buckets.entries()) {
    const bucket = await mirror.bucket(name);
    buckets.push(bucket.entry);
    if (index === 0) region = bucket.region;
  }
  const keys = localKeys();
  const workspace: Record<string, unknown> = {
    description: `Mirrored from AWS account ${accountId} (user ${userName}; buckets ${options.buckets.join(', ')}). Local keys were generated; the account's own keys are not in this file.`,
    accountId,
    region,
    buckets,
    iam: {
      users: [
        {
          name: userName,
          displayName: userName,
          ...keys,
          policies,
          ...(boundary ? { permissionsBoundary: boundary } : {}),
        },
      ],
    },
    accounts: [
      { name: 'customer', description: `the platform's keys (user ${userName})`, accessKeyId: keys.accessKeyId },
    ],
    templates: [],
  };
  return { workspace, notes: mirror.notes, read: mirror.read };
}

export class MirrorError extends Error {}

export interface SampleOptions extends Pick<MirrorOptions, 'profile' | 'region' | 'credentials'> {
  bucket: string;
  prefix: string;
  max: number;
  /** Where the objects are written: `DIR/<bucket>/<key>`. */
  directory: string;
  /** Larger objects are skipped. @default 50 MiB */
  maxBytes?: number;
}

/** A key that is safe as a path under the sample folder: no `.`/`..` or empty segment, no NUL, not absolute. */
function safeRelativePath(key: string): boolean {
  return key.length > 0 && !key.includes('\0') && key.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/**
 * `mirror --objects PREFIX --max N`: a few of the customer's own files, for a local rehearsal with
 * them (read with s3:ListBucket and s3:GetObject; written under DIR/<bucket>/; never to the account).
 */
export async function sampleObjects(options: SampleOptions): Promise<{ written: string[]; notes: MirrorNote[] }> {
  const region = options.region ?? 'us-east-1';
  const s3 = new S3Client(clientConfig(region, options));
  const written: string[] = [];
  const notes: MirrorNote[] = [];
  const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const listed = await attempt(() =>
    s3.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix, MaxKeys: options.max })),
  );
  if (!listed.ok) {
    notes.push({
      call: `s3:ListBucket ${options.bucket}/${options.prefix}`,
      outcome: describeError(listed.error),
      consequence: 'no objects were sampled',
      kind: listed.error.kind,
    });
    return { written, notes };
  }
  for (const object of (listed.value.Contents ?? []).slice(0, options.max)) {
    const key = object.Key ?? '';
    if (!safeRelativePath(key) || (object.Size ?? 0) > maxBytes) {
      const why = !safeRelativePath(key) ? 'its key cannot be a file path here' : `it is larger than ${maxBytes} bytes`;
      notes.push({
        call: `s3:GetObject ${options.bucket}/${key}`,
        outcome: 'skipped',
        consequence: `not sampled: ${why}`,
      });
      continue;
    }
    const got = await attempt(() => s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key })));
    if (!got.ok) {
      notes.push({
        call: `s3:GetObject ${options.bucket}/${key}`,
        outcome: describeError(got.error),
        consequence: 'not sampled',
        kind: got.error.kind,
      });
      continue;
    }
    const path = join(options.directory, options.bucket, ...key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await pipeline(got.value.Body as Readable, createWriteStream(path));
    written.push(`${options.bucket}/${key}`);
  }
  s3.destroy();
  return { written, notes };
}
