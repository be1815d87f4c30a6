/**
 * Which condition keys a local request can know. Three kinds matter when a decision depends on a key:
 * - keys set from the request itself (`s3:prefix`, `s3:x-amz-acl`, `aws:username`, ...): absent here
 *   means absent in production too, for the same request;
 * - keys AWS sets on production requests that a request to this machine cannot carry (`aws:SourceVpce`,
 *   `aws:PrincipalOrgID`, ...), and keys whose local value differs from production (`aws:SourceIp`,
 *   `aws:SecureTransport`): a workspace may declare them per user (`requestContext`);
 * - anything else is a key this harness does not know: never silently deciding, it is reported.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */

/** Keys the gateway sets from each request (when the request carries them). `*` ends a tag-key family. */
const REQUEST_KEYS = [
  'aws:username',
  'aws:userid',
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalType',
  'aws:CurrentTime',
  'aws:EpochTime',
  'aws:Referer',
  'aws:UserAgent',
  'aws:RequestedRegion',
  'aws:ResourceAccount',
  's3:ResourceAccount',
  's3:authType',
  's3:signatureversion',
  's3:signatureAge',
  's3:x-amz-content-sha256',
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:x-amz-acl',
  's3:x-amz-grant-*',
  's3:x-amz-storage-class',
  's3:x-amz-metadata-directive',
  's3:x-amz-copy-source',
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:ExistingObjectTag/*',
  's3:RequestObjectTag/*',
  's3:RequestObjectTagKeys',
  's3:VersionId',
  's3:LocationConstraint',
  's3:object-lock-*',
];

/** Keys AWS sets on production requests that a local request cannot carry, and when AWS sets them. */
const PRODUCTION_KEYS: [pattern: string, when: string][] = [
  ['aws:PrincipalTag/*', 'when the IAM user has that tag'],
  ['aws:PrincipalOrgID', 'when the account belongs to an AWS Organization'],
  ['aws:PrincipalOrgPaths', 'when the account belongs to an AWS Organization'],
  ['aws:ResourceOrgID', "when the bucket's account belongs to an AWS Organization"],
  ['aws:ResourceOrgPaths', "when the bucket's account belongs to an AWS Organization"],
  ['aws:SourceVpce', 'when the request comes through a VPC endpoint'],
  ['aws:SourceVpc', 'when the request comes through a VPC endpoint'],
  ['aws:VpcSourceIp', 'when the request comes through a VPC endpoint'],
  ['aws:SourceVpcArn', 'when the request comes through a VPC endpoint'],
  [
    'aws:MultiFactorAuthPresent',
    "when temporary credentials obtained with MFA sign the request (never for a user's long-term access keys)",
  ],
  ['aws:MultiFactorAuthAge', 'when temporary credentials obtained with MFA sign the request'],
  ['aws:ViaAWSService', 'when another AWS service makes the request on the caller\u2019s behalf'],
  ['aws:CalledVia', 'when another AWS service makes the request on the caller\u2019s behalf'],
  ['aws:CalledViaFirst', 'when another AWS service makes the request on the caller\u2019s behalf'],
  ['aws:CalledViaLast', 'when another AWS service makes the request on the caller\u2019s behalf'],
  ['aws:PrincipalIsAWSService', 'when an AWS service principal makes the request'],
  ['aws:PrincipalServiceName', 'when an AWS service principal makes the request'],
  ['aws:SourceArn', 'when an AWS service makes the request for a resource'],
  ['aws:SourceAccount', 'when an AWS service makes the request for a resource'],
  ['aws:SourceOrgID', 'when an AWS service makes the request for a resource'],
  ['aws:SourceOrgPaths', 'when an AWS service makes the request for a resource'],
  ['aws:TokenIssueTime', 'when temporary credentials sign the request'],
  ['aws:SourceIdentity', 'when temporary credentials with a source identity sign the request'],
  ['aws:FederatedProvider', 'when federated credentials sign the request'],
  ['aws:EC2InstanceSourceVPC', "when an EC2 instance's role credentials sign the request"],
  ['aws:EC2InstanceSourcePrivateIPv4', "when an EC2 instance's role credentials sign the request"],
  ['s3:TlsVersion', 'on every HTTPS request (this endpoint is plain HTTP)'],
  ['s3:AccessPointNetworkOrigin', 'when the request goes through an S3 access point (not emulated)'],
  ['s3:DataAccessPointArn', 'when the request goes through an S3 access point (not emulated)'],
  ['s3:DataAccessPointAccount', 'when the request goes through an S3 access point (not emulated)'],
];

/** Keys set here whose value differs from production's, and how. */
const LOCAL_VALUE_KEYS: [pattern: string, difference: string][] = [
  [
    'aws:SourceIp',
    "is the address of the client on this machine's network; in production it is the caller's public egress address",
  ],
  ['aws:SecureTransport', 'is false here (plain HTTP); in production S3 clients use HTTPS, so it is true'],
];

const lower = (text: string) => text.toLowerCase();

/**
 * A pattern, lowercased once (keys are classified for each condition of each decision): a name, or a
 * family ending in `*` (`s3:ExistingObjectTag/*`).
 */
function matcher(pattern: string): (key: string) => boolean {
  const p = lower(pattern);
  if (!p.endsWith('*')) return (k) => k === p;
  const stem = p.slice(0, -1);
  return (k) => k.length > stem.length && k.startsWith(stem);
}

export type KeyKind =
  | { kind: 'request' }
  | { kind: 'production'; when: string }
  | { kind: 'local-value'; difference: string }
  | { kind: 'unknown' };

const KINDS: [match: (key: string) => boolean, kind: KeyKind][] = [
  ...REQUEST_KEYS.map((p): [(key: string) => boolean, KeyKind] => [matcher(p), { kind: 'request' }]),
  ...PRODUCTION_KEYS.map(([p, when]): [(key: string) => boolean, KeyKind] => [
    matcher(p),
    { kind: 'production', when },
  ]),
  ...LOCAL_VALUE_KEYS.map(([p, difference]): [(key: string) => boolean, KeyKind] => [
    matcher(p),
    { kind: 'local-value', difference },
  ]),
];

export function keyKind(key: string): KeyKind {
  const k = lower(key);
  return KINDS.find(([match]) => match(k))?.[1] ?? { kind: 'unknown' };
}

/** The keys a workspace may declare in `requestContext`: every key AWS sets that a local request cannot. */
export function declarableKeyProblem(key: string): string | undefined {
  const kind = keyKind(key).kind;
  if (kind === 'production' || kind === 'local-value') return undefined;
  if (kind === 'request') return `"${key}" is set from each request by the gateway and cannot be declared`;
  return `"${key}" is not a condition key AWS sets on S3 requests that this harness knows; declarable keys: ${declarableKeyNames().join(', ')}`;
}

export function declarableKeyNames(): string[] {
  return [...PRODUCTION_KEYS.map(([p]) => p), ...LOCAL_VALUE_KEYS.map(([p]) => p)];
}

/**
 * Why the value a decision used for `key` may not be production's, or undefined when it is (a key set
 * from the request, or declared by the workspace).
 */
export function unmodelledReason(key: string, present: boolean, declared: ReadonlySet<string>): string | undefined {
  if (declared.has(lower(key))) return undefined;
  const kind = keyKind(key);
  switch (kind.kind) {
    case 'request':
      return undefined;
    case 'production':
      return present ? undefined : `which this workspace does not set; AWS sets it ${kind.when}`;
    case 'local-value':
      return `which ${kind.difference}`;
    case 'unknown':
      return present ? undefined : `which this harness does not know: AWS may or may not set it (check its spelling)`;
  }
}
