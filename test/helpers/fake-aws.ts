/**
 * A customer's AWS account as msw answers it (no request leaves the machine): IAM's Query API (XML),
 * S3's bucket configuration calls (XML, a policy as JSON) and IAM's SimulatePrincipalPolicy, in the
 * shapes AWS documents, errors included. Any request it does not know fails the test
 * (`onUnhandledRequest: 'error'`).
 * Shapes: https://docs.aws.amazon.com/IAM/latest/APIReference/ (GetUser, ListUserPolicies, GetUserPolicy,
 * ListAttachedUserPolicies, GetPolicy, GetPolicyVersion, ListGroupsForUser, ListGroupPolicies,
 * GetGroupPolicy, ListAttachedGroupPolicies, SimulatePrincipalPolicy, SimulateCustomPolicy, CommonErrors) and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ (GetBucketPolicy, GetBucketEncryption,
 * GetBucketVersioning, GetBucketLocation, GetPublicAccessBlock, ErrorResponses).
 */
import { createHash } from 'node:crypto';
import { http, HttpResponse, passthrough } from 'msw';
import { setupServer, type SetupServerApi } from 'msw/node';

export interface FakeUser {
  name: string;
  inline?: Record<string, object>;
  attached?: string[];
  groups?: string[];
  boundary?: string;
}

/** An SQS queue as msw plays it (JSON protocol): messages waiting, and the receipt handles deleted. */
export interface FakeQueue {
  url: string;
  waiting: { body: string; id: string }[];
  deleted: string[];
}

export interface FakeAccount {
  accountId: string;
  /** The user the credentials belong to. */
  caller: string;
  users: FakeUser[];
  managed: Record<string, { name: string; document: object }>;
  groups?: Record<string, { inline?: Record<string, object>; attached?: string[] }>;
  buckets: Record<
    string,
    {
      region: string;
      policy?: object;
      encryption?: 'AES256' | 'aws:kms';
      versioning?: 'Enabled' | 'Suspended';
      publicAccessBlock?: boolean;
      /** Keys in the bucket (ListObjectsV2 answers them; GetObject answers `body of KEY` unless `bodies` has one). */
      objects?: string[];
      bodies?: Record<string, string>;
      /** Objects written (PutObject), key -> body. */
      written?: Record<string, string>;
    }
  >;
  /** Actions refused to the caller (`iam:GetUser`, `s3:GetBucketPolicy`, ...). */
  denied?: string[];
  /** IAM actions answered `Throttling` (400) this many times before they succeed, as IAM's rate limits do. */
  throttled?: Record<string, number>;
  /** Services whose endpoints cannot be reached (every request to them fails as a network error). */
  unreachable?: ('iam' | 's3' | 'access-analyzer')[];
  /** SQS queues by URL (ReceiveMessage, DeleteMessage). */
  queues?: FakeQueue[];
  /** SimulatePrincipalPolicy's answers: action -> decision. */
  simulate?: (action: string, resource: string) => 'allowed' | 'implicitDeny' | 'explicitDeny';
  /** SimulateCustomPolicy's answers, from what it was given. @default implicitDeny */
  simulateCustom?: (input: CustomSimulation) => 'allowed' | 'implicitDeny' | 'explicitDeny';
  /** ValidatePolicy's findings beyond the public-principal one, from the policy given. */
  findings?: (document: { Statement: object[] }) => object[];
}

/** What SimulateCustomPolicy was asked. */
export interface CustomSimulation {
  policies: { Statement: object[] }[];
  boundaries: object[];
  action: string;
  resource: string;
  resourcePolicy?: object;
  callerArn?: string;
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const xml = (body: string, status = 200) =>
  new HttpResponse(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { 'content-type': 'text/xml' },
  });
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function iamResult(action: string, inner: string) {
  return xml(
    `<${action}Response xmlns="${IAM_NS}"><${action}Result>${inner}</${action}Result><ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata></${action}Response>`,
  );
}

function iamError(code: string, message: string, status: number) {
  return xml(
    `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>`,
    status,
  );
}

function s3Error(code: string, message: string, status: number) {
  return xml(
    `<Error><Code>${code}</Code><Message>${escape(message)}</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>host</HostId></Error>`,
    status,
  );
}

const members = (items: string[]) => items.map((i) => `<member>${escape(i)}</member>`).join('');

function iamAnswer(account: FakeAccount, form: URLSearchParams): Response {
  const action = form.get('Action') ?? '';
  const arnOf = (user: string) => `arn:aws:iam::${account.accountId}:user/${user}`;
  const throttledLeft = account.throttled?.[action] ?? 0;
  if (throttledLeft > 0) {
    account.throttled![action] = throttledLeft - 1;
    return iamError('Throttling', 'Rate exceeded', 400);
  }
  if (account.denied?.includes(`iam:${action}`))
    return iamError(
      'AccessDenied',
      `User: ${arnOf(account.caller)} is not authorized to perform: iam:${action} on resource: ${arnOf(form.get('UserName') ?? account.caller)} because no identity-based policy allows the iam:${action} action`,
      403,
    );
  const user = account.users.find((u) => u.name === (form.get('UserName') ?? account.caller));
  const group = account.groups?.[form.get('GroupName') ?? ''];
  const policy = account.managed[form.get('PolicyArn') ?? ''];
  const noSuch = (what: string) => iamError('NoSuchEntity', `The ${what} cannot be found.`, 404);
  switch (action) {
    case 'GetUser':
      if (!user) return noSuch(`user with name ${form.get('UserName')}`);
      return iamResult(
        action,
        `<User><Path>/</Path><UserName>${user.name}</UserName><UserId>AIDAEXAMPLE${user.name.toUpperCase()}</UserId><Arn>${arnOf(user.name)}</Arn><CreateDate>2024-03-01T10:00:00Z</CreateDate>${user.boundary ? `<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>${user.boundary}</PermissionsBoundaryArn></PermissionsBoundary>` : ''}</User>`,
      );
    case 'ListUserPolicies':
      if (!user) return noSuch('user');
      return iamResult(
        action,
        `<PolicyNames>${members(Object.keys(user.inline ?? {}))}</PolicyNames><IsTruncated>false</IsTruncated>`,
      );
    case 'GetUserPolicy': {
      const document = user?.inline?.[form.get('PolicyName') ?? ''];
      if (!document) return noSuch('user policy');
      return iamResult(
        action,
        `<UserName>${user!.name}</UserName><PolicyName>${form.get('PolicyName')}</PolicyName><PolicyDocument>${encodeURIComponent(JSON.stringify(document))}</PolicyDocument>`,
      );
    }
    case 'ListAttachedUserPolicies':
    case 'ListAttachedGroupPolicies': {
      const arns = (action === 'ListAttachedUserPolicies' ? user?.attached : group?.attached) ?? [];
      return iamResult(
        action,
        `<AttachedPolicies>${arns.map((arn) => `<member><PolicyName>${account.managed[arn]?.name}</PolicyName><PolicyArn>${arn}</PolicyArn></member>`).join('')}</AttachedPolicies><IsTruncated>false</IsTruncated>`,
      );
    }
    case 'GetPolicy':
      if (!policy) return noSuch('policy');
      return iamResult(
        action,
        `<Policy><PolicyName>${policy.name}</PolicyName><DefaultVersionId>v3</DefaultVersionId><PolicyId>ANPAEXAMPLE</PolicyId><Path>/</Path><Arn>${form.get('PolicyArn')}</Arn><AttachmentCount>1</AttachmentCount><IsAttachable>true</IsAttachable></Policy>`,
      );
    case 'GetPolicyVersion':
      if (!policy || form.get('VersionId') !== 'v3') return noSuch('policy version');
      return iamResult(
        action,
        `<PolicyVersion><Document>${encodeURIComponent(JSON.stringify(policy.document))}</Document><IsDefaultVersion>true</IsDefaultVersion><VersionId>v3</VersionId><CreateDate>2024-03-01T10:00:00Z</CreateDate></PolicyVersion>`,
      );
    case 'ListGroupsForUser':
      return iamResult(
        action,
        `<Groups>${(user?.groups ?? []).map((g) => `<member><Path>/</Path><GroupName>${g}</GroupName><GroupId>AGPAEXAMPLE</GroupId><Arn>arn:aws:iam::${account.accountId}:group/${g}</Arn><CreateDate>2024-03-01T10:00:00Z</CreateDate></member>`).join('')}</Groups><IsTruncated>false</IsTruncated>`,
      );
    case 'ListGroupPolicies':
      return iamResult(
        action,
        `<PolicyNames>${members(Object.keys(group?.inline ?? {}))}</PolicyNames><IsTruncated>false</IsTruncated>`,
      );
    case 'GetGroupPolicy': {
      const document = group?.inline?.[form.get('PolicyName') ?? ''];
      if (!document) return noSuch('group policy');
      return iamResult(
        action,
        `<GroupName>${form.get('GroupName')}</GroupName><PolicyName>${form.get('PolicyName')}</PolicyName><PolicyDocument>${encodeURIComponent(JSON.stringify(document))}</PolicyDocument>`,
      );
    }
    case 'SimulateCustomPolicy': {
      const list = (name: string) =>
        [...form.entries()].filter(([k]) => k.startsWith(`${name}.member.`)).map(([, v]) => v);
      const resourcePolicy = form.get('ResourcePolicy');
      const callerArn = form.get('CallerArn');
      const [action = '', resource = '*'] = [list('ActionNames')[0], list('ResourceArns')[0]];
      const decision =
        account.simulateCustom?.({
          policies: list('PolicyInputList').map((p) => JSON.parse(p) as { Statement: object[] }),
          boundaries: list('PermissionsBoundaryPolicyInputList').map((p) => JSON.parse(p) as object),
          action,
          resource,
          ...(resourcePolicy ? { resourcePolicy: JSON.parse(resourcePolicy) as object } : {}),
          ...(callerArn ? { callerArn } : {}),
        }) ?? 'implicitDeny';
      return iamResult(
        'SimulateCustomPolicy',
        `<EvaluationResults><member><EvalActionName>${action}</EvalActionName><EvalResourceName>${escape(resource)}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member></EvaluationResults><IsTruncated>false</IsTruncated>`,
      );
    }
    case 'SimulatePrincipalPolicy': {
      const actions = [...form.entries()].filter(([k]) => k.startsWith('ActionNames.member.')).map(([, v]) => v);
      const resources = [...form.entries()].filter(([k]) => k.startsWith('ResourceArns.member.')).map(([, v]) => v);
      const results = actions
        .map((a) => {
          const resource = resources[0] ?? '*';
          const decision = account.simulate?.(a, resource) ?? 'implicitDeny';
          return `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>${escape(resource)}</EvalResourceName><EvalDecision>${decision}</EvalDecision><MatchedStatements/><MissingContextValues/></member>`;
        })
        .join('');
      return iamResult(action, `<EvaluationResults>${results}</EvaluationResults><IsTruncated>false</IsTruncated>`);
    }
  }
  return iamError('InvalidAction', `Could not find operation ${action} for version 2010-05-08`, 400);
}

function s3Answer(account: FakeAccount, url: URL): Response {
  const bucketName = url.hostname.split('.s3')[0]!;
  const bucket = account.buckets[bucketName];
  if (bucket && url.pathname.length > 1) {
    const key = decodeURIComponent(url.pathname.slice(1));
    if (account.denied?.includes('s3:GetObject')) return s3Error('AccessDenied', 'Access Denied', 403);
    if (!bucket.objects?.includes(key)) return s3Error('NoSuchKey', 'The specified key does not exist.', 404);
    const body = bucket.bodies?.[key] ?? `body of ${key}`;
    return new HttpResponse(body, {
      headers: { 'content-type': 'text/csv', etag: `"${createHash('md5').update(body).digest('hex')}"` },
    });
  }
  const subresource = ['policy', 'encryption', 'versioning', 'location', 'publicAccessBlock'].find((s) =>
    url.searchParams.has(s),
  );
  const actions: Record<string, string> = {
    policy: 's3:GetBucketPolicy',
    encryption: 's3:GetEncryptionConfiguration',
    versioning: 's3:GetBucketVersioning',
    location: 's3:GetBucketLocation',
    publicAccessBlock: 's3:GetBucketPublicAccessBlock',
  };
  const action = actions[subresource ?? 'location']!;
  if (!bucket) return s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
  if (url.searchParams.get('list-type') === '2') {
    if (account.denied?.includes('s3:ListBucket')) return s3Error('AccessDenied', 'Access Denied', 403);
    const prefix = url.searchParams.get('prefix') ?? '';
    const max = Number(url.searchParams.get('max-keys') ?? 1000);
    const keys = (bucket.objects ?? []).filter((k) => k.startsWith(prefix));
    const page = keys.slice(0, max);
    return xml(
      `<ListBucketResult xmlns="${S3_NS}"><Name>${bucketName}</Name><Prefix>${escape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${keys.length > page.length}</IsTruncated>${page.map((k) => `<Contents><Key>${escape(k)}</Key><LastModified>2026-11-30T10:00:00.000Z</LastModified><ETag>"0cc175b9c0f1b6a831c399e269772661"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('')}</ListBucketResult>`,
    );
  }
  if (account.denied?.includes(action)) return s3Error('AccessDenied', 'Access Denied', 403);
  switch (subresource) {
    case 'policy':
      if (!bucket.policy) return s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
      return new HttpResponse(JSON.stringify(bucket.policy), { headers: { 'content-type': 'application/json' } });
    case 'encryption':
      return xml(
        `<ServerSideEncryptionConfiguration xmlns="${S3_NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${bucket.encryption ?? 'AES256'}</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
      );
    case 'versioning':
      return xml(
        `<VersioningConfiguration xmlns="${S3_NS}">${bucket.versioning ? `<Status>${bucket.versioning}</Status>` : ''}</VersioningConfiguration>`,
      );
    case 'location':
      return xml(
        `<LocationConstraint xmlns="${S3_NS}">${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`,
      );
    case 'publicAccessBlock':
      if (!bucket.publicAccessBlock)
        return s3Error(
          'NoSuchPublicAccessBlockConfiguration',
          'The public access block configuration was not found',
          404,
        );
      return xml(
        `<PublicAccessBlockConfiguration xmlns="${S3_NS}"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
      );
  }
  return s3Error('NotImplemented', `the fake account does not answer ${url.search}`, 501);
}

/**
 * SQS's JSON protocol: `X-Amz-Target: AmazonSQS.ReceiveMessage` (an empty answer after a short wait,
 * as a long poll ends), `AmazonSQS.DeleteMessage`. MD5OfBody is checked by the SDK.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
async function sqsAnswer(account: FakeAccount, target: string, input: Record<string, unknown>): Promise<Response> {
  const queue = account.queues?.find((q) => q.url === input.QueueUrl);
  const json = (body: object, status = 200) =>
    new HttpResponse(JSON.stringify(body), { status, headers: { 'content-type': 'application/x-amz-json-1.0' } });
  if (!queue)
    return json({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }, 400);
  if (target === 'AmazonSQS.ReceiveMessage') {
    const batch = queue.waiting.splice(0, Number(input.MaxNumberOfMessages ?? 1));
    if (batch.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    return json({
      Messages: batch.map((m) => ({
        MessageId: m.id,
        ReceiptHandle: `handle-${m.id}`,
        MD5OfBody: createHash('md5').update(m.body).digest('hex'),
        Body: m.body,
      })),
    });
  }
  if (target === 'AmazonSQS.DeleteMessage') {
    queue.deleted.push(String(input.ReceiptHandle));
    return json({});
  }
  return json({ __type: 'com.amazonaws.sqs#InvalidAction', message: `not played: ${target}` }, 400);
}

/** Starts answering for the account; every request seen is recorded (method, host, action). */
export function fakeAws(account: FakeAccount): {
  server: SetupServerApi;
  seen: string[];
  unhandled: string[];
  /** Every IAM request's form, in order. */
  iamForms: URLSearchParams[];
} {
  const seen: string[] = [];
  const iamForms: URLSearchParams[] = [];
  const unhandled: string[] = [];
  const hosts = {
    iam: /^https:\/\/iam\./,
    s3: /^https:\/\/([^/]+\.)?s3\./,
    'access-analyzer': /^https:\/\/access-analyzer\./,
  };
  const server = setupServer(
    ...(account.unreachable ?? []).map((service) =>
      http.all(hosts[service], ({ request }) => {
        seen.push(`unreachable:${new URL(request.url).hostname}`);
        return HttpResponse.error();
      }),
    ),
    http.post('https://iam.amazonaws.com/', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      seen.push(`iam:${form.get('Action')}`);
      iamForms.push(form);
      return iamAnswer(account, form);
    }),
    http.post(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/?/, async ({ request }) => {
      const target = request.headers.get('x-amz-target') ?? '';
      seen.push(`sqs:${target}`);
      return sqsAnswer(account, target, (await request.json()) as Record<string, unknown>);
    }),
    http.get(/^https:\/\/s3\.([a-z0-9-]+\.)?amazonaws\.com\//, () => {
      seen.push('s3:ListBuckets');
      if (account.denied?.includes('s3:ListAllMyBuckets')) return s3Error('AccessDenied', 'Access Denied', 403);
      return xml(
        `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>owner</ID></Owner><Buckets>${Object.keys(account.buckets)
          .map((b) => `<Bucket><Name>${b}</Name><CreationDate>2024-03-01T10:00:00.000Z</CreationDate></Bucket>`)
          .join('')}</Buckets></ListAllMyBucketsResult>`,
      );
    }),
    http.put(/^https:\/\/[^/]+\.s3\.([a-z0-9-]+\.)?amazonaws\.com\/./, async ({ request }) => {
      const url = new URL(request.url);
      const bucket = account.buckets[url.hostname.split('.s3')[0]!];
      seen.push(`s3:PutObject ${url.pathname}`);
      if (!bucket) return s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
      if (account.denied?.includes('s3:PutObject')) return s3Error('AccessDenied', 'Access Denied', 403);
      (bucket.written ??= {})[decodeURIComponent(url.pathname.slice(1))] = await request.text();
      return new HttpResponse(null, { status: 200, headers: { etag: '"9b2cf535f27731c974343645a3985328"' } });
    }),
    // IAM Access Analyzer's ValidatePolicy (REST-JSON): a public Allow is a security warning, as it reports.
    http.post(/^https:\/\/access-analyzer\.[a-z0-9-]+\.amazonaws\.com\/policy\/validation/, async ({ request }) => {
      seen.push('access-analyzer:ValidatePolicy');
      if (!request.headers.get('authorization')?.startsWith('AWS4-HMAC-SHA256 Credential='))
        return new HttpResponse(JSON.stringify({ message: 'Missing Authentication Token' }), { status: 403 });
      if (account.denied?.includes('access-analyzer:ValidatePolicy'))
        return new HttpResponse(
          JSON.stringify({
            message: `User: arn:aws:iam::${account.accountId}:user/${account.caller} is not authorized to perform: access-analyzer:ValidatePolicy`,
          }),
          {
            status: 403,
            headers: {
              'x-amzn-errortype':
                'AccessDeniedException:http://internal.amazon.com/coral/com.amazonaws.accessanalyzer/',
            },
          },
        );
      const input = (await request.json()) as { policyDocument: string; policyType: string };
      const document = JSON.parse(input.policyDocument) as { Statement: { Effect: string; Principal?: unknown }[] };
      const publicAllow = document.Statement.some((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal) === '"*"');
      const findings = [
        ...(account.findings?.(document) ?? []),
        ...(publicAllow
          ? [
              {
                findingType: 'SECURITY_WARNING',
                issueCode: 'EXAMPLE_PUBLIC_PRINCIPAL', // illustrative: the fake's one finding
                findingDetails: 'Using a wildcard principal allows anyone to access the bucket.',
                learnMoreLink:
                  'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html',
                locations: [],
              },
            ]
          : []),
      ];
      return new HttpResponse(JSON.stringify({ findings }), { headers: { 'content-type': 'application/json' } });
    }),
    // This machine's own endpoints (a second harness playing a remote S3) are not AWS: let them through.
    http.all(/^http:\/\/(127\.0\.0\.1|localhost)[:/]/, () => passthrough()),
    http.get(/^https:\/\/[^/]+\.s3\.([a-z0-9-]+\.)?amazonaws\.com\//, ({ request }) => {
      const url = new URL(request.url);
      seen.push(`s3:${url.hostname.split('.s3')[0]}?${[...url.searchParams.keys()].join('&')}`);
      return s3Answer(account, url);
    }),
  );
  // As `onUnhandledRequest: 'error'`, recording what was refused: nothing unknown leaves the machine.
  server.listen({
    onUnhandledRequest(request, print) {
      unhandled.push(`${request.method} ${request.url}`);
      print.error();
    },
  });
  return { server, seen, unhandled, iamForms };
}
