/**
 * What each integration needs from S3 with its account's keys, each need twice: the request it will
 * make (a sample resource and its condition keys, which the preflight decides) and what an identity
 * policy must grant for every such request (a resource pattern, its condition, and a Sid that says
 * what it is for). The product article's custom-policy section asks for the same three actions on the
 * bucket, the folder and the folder wildcard; this is that, exact.
 */
import type { ConditionBlock, Permission, PolicyStatement } from '../iam/index.ts';
import { compilePrefix, type InboundIntegration } from '../inbound/index.ts';
import { objectKeyFor, sampleSubmission, staticKeyPrefix, type OutboundIntegration } from '../outbound/index.ts';
import type { Workspace, WorkspaceTemplate } from '../workspace/index.ts';

/** What an identity statement grants for a need. */
export interface Grant {
  /** A statement id: what it is for (IAM allows letters and digits only). */
  sid: string;
  action: string;
  /** An ARN, or an ARN ending `*` (every key under a prefix). */
  resource: string;
  condition?: ConditionBlock;
}

export interface Need extends Permission {
  /** Why the integration needs it. */
  purpose: string;
  grant: Grant;
}

/** The resource ListBuckets is authorised on, as the gateway does (docs/gateway.md, "Operations, actions and resources"). */
const LIST_BUCKETS_RESOURCE = 'arn:aws:s3:::*';
const arn = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;

/** `Email drop` → `EmailDrop`: whose need it is, as the letters-and-digits tail of a Sid (a repeated Sid gets a number). */
function sidPart(integrationName: string): string {
  return integrationName
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** A key an inbound prefix matches: its dynamic values filled with examples, then a file name. */
export function sampleInboundKey(prefix: string, templateName: string): string {
  const rendered = prefix.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) =>
    name === 'template_name' ? templateName : 'example',
  );
  return rendered === '' || rendered.endsWith('/') ? `${rendered}example.csv` : `${rendered}.csv`;
}

/** "List Buckets" mode's dropdown: ListAllMyBuckets is granted on "*" only (it names no bucket). */
function listAllBuckets(): Need {
  return {
    action: 's3:ListAllMyBuckets',
    resource: LIST_BUCKETS_RESOURCE,
    context: {},
    purpose: '"List Buckets" mode lists the account\'s buckets (the bucket dropdown)',
    grant: { sid: 'ListBucketsForTheBucketDropdown', action: 's3:ListAllMyBuckets', resource: '*' },
  };
}

/**
 * The queue's ARN from its URL: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` (the host names the
 * region; another endpoint's URL is read as `/ACCOUNT/NAME` in the integration's region).
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
 */
export function queueArn(queueUrl: string, region: string): string {
  const url = new URL(queueUrl);
  const [account = '', name = ''] = url.pathname.split('/').filter(Boolean).slice(-2);
  const fromHost = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  return `arn:aws:sqs:${fromHost ?? region}:${account}:${name}`;
}

/** SQS detection: receive the bucket's event notifications, delete each message once its drops are recorded (docs/go-live.md). */
function queueNeeds(integration: InboundIntegration, named: string): Need[] {
  const queue = queueArn(integration.queueUrl!, integration.region);
  return [
    {
      action: 'sqs:ReceiveMessage',
      resource: queue,
      context: {},
      purpose: "receives the bucket's event notifications from the queue",
      grant: { sid: `ReceiveDropEvents${named}`, action: 'sqs:ReceiveMessage', resource: queue },
    },
    {
      action: 'sqs:DeleteMessage',
      resource: queue,
      context: {},
      purpose: 'deletes each message once its drops are recorded',
      grant: { sid: `DeleteDropEvents${named}`, action: 'sqs:DeleteMessage', resource: queue },
    },
  ];
}

export function inboundNeeds(template: WorkspaceTemplate, integration: InboundIntegration): Need[] {
  const needs: Need[] = [];
  const { staticPrefix } = compilePrefix(integration.prefix, template.name);
  const named = sidPart(integration.name);
  if (integration.bucketMode === 'list') needs.push(listAllBuckets());
  if (integration.bucketMode === 'list' || integration.detection === 'poll') {
    needs.push({
      action: 's3:ListBucket',
      resource: arn(integration.bucket),
      context: { 's3:prefix': staticPrefix },
      purpose:
        integration.detection === 'poll'
          ? 'poll detection lists new objects under the prefix'
          : '"List Buckets" mode lists under the prefix',
      grant: {
        sid: `ListTheDropFolder${named}`,
        action: 's3:ListBucket',
        resource: arn(integration.bucket),
        // The platform lists with the prefix up to its first dynamic value, and only that (all of the bucket when it is empty).
        ...(staticPrefix ? { condition: { StringEquals: { 's3:prefix': staticPrefix } } } : {}),
      },
    });
  }
  if (integration.detection === 'sqs' && integration.queueUrl) needs.push(...queueNeeds(integration, named));
  needs.push({
    action: 's3:GetObject',
    resource: arn(integration.bucket, sampleInboundKey(integration.prefix, template.name)),
    context: {},
    purpose: 'reads each dropped file',
    grant: {
      sid: `ReadDroppedFiles${named}`,
      action: 's3:GetObject',
      resource: arn(integration.bucket, `${staticPrefix}*`),
    },
  });
  return needs;
}

export function outboundNeeds(
  template: WorkspaceTemplate,
  integration: OutboundIntegration,
  user: string,
  now: Date,
): Need[] {
  const needs: Need[] = [];
  if (integration.bucketMode === 'list') needs.push(listAllBuckets());
  // The key of a file this user's submission would make (only the template, the time, the name and the user count).
  const key = objectKeyFor(template, integration, { ...sampleSubmission(template, now).submission, submittedBy: user });
  const keys = staticKeyPrefix(integration.filename, template.name, integration);
  const sse = { 's3:x-amz-server-side-encryption': 'AES256' };
  needs.push({
    action: 's3:PutObject',
    resource: arn(integration.bucket, key),
    context: integration.sse ? sse : {},
    purpose: `writes each submission's file ${integration.sse ? 'with SSE-S3 (x-amz-server-side-encryption: AES256)' : 'without server-side encryption'}`,
    grant: {
      sid: `WriteSubmissionFiles${sidPart(integration.name)}`,
      action: 's3:PutObject',
      resource: arn(integration.bucket, keys.exact ? keys.prefix : `${keys.prefix}*`),
      // It writes with SSE-S3, and the policy says so: these keys can never write a file unencrypted.
      ...(integration.sse ? { condition: { StringEquals: sse } } : {}),
    },
  });
  return needs;
}

/** The identity-policy statement that grants a need. */
export function statementFor(grant: Grant): PolicyStatement {
  return {
    Sid: grant.sid,
    Effect: 'Allow',
    Action: grant.action,
    Resource: grant.resource,
    ...(grant.condition ? { Condition: grant.condition } : {}),
  };
}

/** An integration and what it needs (given the name of the user whose keys its account holds). */
export interface IntegrationNeeds {
  /** `Template/Name`, as in /api/integrations. */
  id: string;
  direction: 'inbound' | 'outbound';
  template: string;
  name: string;
  account: string;
  bucket: string;
  bucketMode: 'list' | 'manual';
  needs(user: string): Need[];
}

/** Every integration of the workspace, inbound then outbound for each template, in the workspace's order. */
export function integrationNeeds(workspace: Pick<Workspace, 'templates'>, now: Date): IntegrationNeeds[] {
  return workspace.templates.flatMap((template) => [
    ...template.inbound.map((integration) => ({
      id: `${template.name}/${integration.name}`,
      direction: 'inbound' as const,
      template: template.name,
      name: integration.name,
      account: integration.account,
      bucket: integration.bucket,
      bucketMode: integration.bucketMode,
      needs: () => inboundNeeds(template, integration),
    })),
    ...template.outbound.map((integration) => ({
      id: `${template.name}/${integration.name}`,
      direction: 'outbound' as const,
      template: template.name,
      name: integration.name,
      account: integration.account,
      bucket: integration.bucket,
      bucketMode: integration.bucketMode,
      needs: (user: string) => outboundNeeds(template, integration, user, now),
    })),
  ]);
}
