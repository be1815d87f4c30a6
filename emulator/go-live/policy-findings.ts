/**
 * IAM Access Analyzer's ValidatePolicy on each policy of a workspace (the bucket policies as
 * `AWS::S3::Bucket` resource policies, the users' identity policies and boundaries), for
 * `preflight --live`: its errors, security warnings, warnings and suggestions, listed per policy. A
 * signed request of its REST-JSON API (the project carries no Access Analyzer client: one call).
 * @see https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { PolicyDocument } from '../../core/iam/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { attempt, clientConfig, describeError, type AwsAccess } from './aws-calls.ts';
import { Sha256 } from './sha256.ts';

export interface PolicyFinding {
  findingType: 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';
  issueCode: string;
  findingDetails: string;
  learnMoreLink?: string;
}

export interface PolicyFindings {
  /** `bucket policy of acme-drop`, `identity policy 0 of user platform`, `permissions boundary of user platform` */
  policy: string;
  findings: PolicyFinding[];
  /** Why it could not be validated (AccessDeniedException, ...). */
  error?: string;
}

export interface FindingsOptions extends AwsAccess {
  region: string;
}

export interface PolicyToValidate {
  name: string;
  document: PolicyDocument;
  type: 'IDENTITY_POLICY' | 'RESOURCE_POLICY';
}

function policiesOf(workspace: Workspace): PolicyToValidate[] {
  const policies: PolicyToValidate[] = [];
  for (const bucket of workspace.buckets)
    if (bucket.policy)
      policies.push({ name: `bucket policy of ${bucket.name}`, document: bucket.policy, type: 'RESOURCE_POLICY' });
  for (const user of workspace.iam.users) {
    user.policies.forEach((document, index) =>
      policies.push({ name: `identity policy ${index} of user ${user.name}`, document, type: 'IDENTITY_POLICY' }),
    );
    if (user.permissionsBoundary)
      policies.push({
        name: `permissions boundary of user ${user.name}`,
        document: user.permissionsBoundary,
        type: 'IDENTITY_POLICY',
      });
  }
  return policies;
}

/** The provider chain's credentials (or the profile's, or those handed in), as the SDK's clients resolve them. */
async function resolveCredentials(options: FindingsOptions): Promise<AwsCredentialIdentity> {
  const client = new S3Client(clientConfig(options.region, options));
  try {
    return await client.config.credentials();
  } finally {
    client.destroy();
  }
}

/**
 * Each policy validated, or why it was not (AWS unreachable, no usable credentials, refused,
 * throttled), one line each: a failure is never a stack and never looks like "no findings".
 */
export async function policyFindings(workspace: Workspace, options: FindingsOptions): Promise<PolicyFindings[]> {
  return findingsFor(policiesOf(workspace), options);
}

/** The findings of the policies given (the one `s3-harness policy` writes, before anyone attaches it). */
export async function findingsFor(policies: PolicyToValidate[], options: FindingsOptions): Promise<PolicyFindings[]> {
  const credentials = await attempt(() => resolveCredentials(options));
  if (!credentials.ok)
    return policies.map((policy) => ({ policy: policy.name, findings: [], error: describeError(credentials.error) }));
  const signer = new SignatureV4({
    service: 'access-analyzer',
    region: options.region,
    credentials: credentials.value,
    sha256: Sha256,
  });
  const results: PolicyFindings[] = [];
  for (const policy of policies) {
    const validated = await attempt(() => validate(signer, options.region, policy));
    results.push(
      validated.ok
        ? { policy: policy.name, findings: validated.value }
        : { policy: policy.name, findings: [], error: describeError(validated.error) },
    );
  }
  return results;
}

/** One ValidatePolicy call (REST-JSON, signed); AWS's refusal thrown as an error `attempt` reads. */
async function validate(signer: SignatureV4, region: string, policy: PolicyToValidate): Promise<PolicyFinding[]> {
  const host = `access-analyzer.${region}.amazonaws.com`;
  const body = JSON.stringify({
    locale: 'EN',
    policyDocument: JSON.stringify(policy.document),
    policyType: policy.type,
    ...(policy.type === 'RESOURCE_POLICY' ? { validatePolicyResourceType: 'AWS::S3::Bucket' } : {}),
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: host,
    path: '/policy/validation',
    query: {},
    headers: { host, 'content-type': 'application/json' },
    body,
  });
  const response = await fetch(`https://${host}/policy/validation`, {
    method: 'POST',
    headers: signed.headers as Record<string, string>,
    body,
  });
  // A network error may come back as an error response (status 0, as Response.error()): no answer at all.
  if (response.type === 'error' || response.status === 0) throw new TypeError('fetch failed');
  const answer = (await response.json().catch(() => ({}))) as { findings?: PolicyFinding[]; message?: string };
  if (!response.ok) {
    const type = response.headers.get('x-amzn-errortype')?.split(':')[0] ?? `HTTP ${response.status}`;
    throw Object.assign(new Error(answer.message ?? ''), {
      name: type,
      $metadata: { httpStatusCode: response.status },
    });
  }
  return answer.findings ?? [];
}

export function formatFindings(results: PolicyFindings[]): string {
  const lines: string[] = [];
  for (const { policy, findings, error } of results) {
    if (error) lines.push(`${policy}: not validated (${error})`);
    else if (findings.length === 0) lines.push(`${policy}: no findings`);
    else {
      lines.push(`${policy}:`);
      for (const f of findings) lines.push(`  ${f.findingType} ${f.issueCode}: ${f.findingDetails}`);
    }
  }
  return lines.join('\n');
}
