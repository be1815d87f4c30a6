import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { formatIssue } from '../../core/shared/issues.ts';

describe('parseWorkspace', () => {
  it('accepts the demo workspace', () => {
    const result = parseWorkspace(JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')));
    expect(result.ok ? result.value.iam.users.map((u) => u.name) : result.issues).toEqual([
      'admin',
      'uploader',
      'platform',
      'claravine',
      'reader',
      'intern',
    ]);
  });

  it('lists every problem with its path and what was expected', () => {
    const result = parseWorkspace({
      accountId: '1234',
      region: 'us-east-1',
      bukets: [],
      buckets: [{ name: 'Bad_Bucket' }, { name: 'ok-bucket', defaultEncryption: 'KMS' }],
      iam: {
        users: [
          { name: 'a', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 's', policies: [] },
          {
            name: 'a',
            accessKeyId: 'AKIAAAAAAAAAAAAAAAAA',
            secretAccessKey: '',
            policies: [
              {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 's3:*', Resource: '*' },
                  { Effect: 'Allow', Action: 's3:*', Resource: '*' },
                  { Effect: 'Permit', Action: 's3:*', Resource: '*' },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      '(top level): unknown key "bukets" (expected description, accountId, region, buckets, iam, accounts, templates, alerts)',
      '(top level): "accountId" must be 12 digits, got "1234"',
      'buckets[0]: "name" must use lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit, got "Bad_Bucket"',
      'buckets[1]: "defaultEncryption" must be "none" or "AES256", got string "KMS"',
      'iam.users[1]: "secretAccessKey" must be a non-empty string, got string ""',
      'iam.users[1]: user name "a" is used twice',
      'iam.users[1]: access key "AKIAAAAAAAAAAAAAAAAA" is used by two users',
      'iam.users[1].policies[0].Statement[2]: "Effect" must be "Allow" or "Deny", got string "Permit"',
    ]);
  });
});

describe('templates, accounts and inbound integrations in the workspace', () => {
  const base = {
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: 'drop-bucket' }],
    iam: { users: [{ name: 'p', accessKeyId: 'AKIAPLATFORM00000001', secretAccessKey: 's', policies: [] }] },
  };
  const field = [{ name: 'Name', type: 'text' }];

  it("takes an account's secret from its user, and warns about keys of no user and overlapping prefixes", () => {
    const result = parseWorkspace({
      ...base,
      accounts: [
        { name: 'a', accessKeyId: 'AKIAPLATFORM00000001' },
        { name: 'b', accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' },
      ],
      templates: [
        {
          name: 'Email',
          fields: field,
          inbound: [{ account: 'a', bucket: 'drop-bucket', prefix: 'us/{{template_name}}' }],
        },
        { name: 'EmailPlus', fields: field, inbound: [{ account: 'b', bucket: 'drop-bucket', prefix: 'us/Email' }] },
      ],
    });
    expect(result.ok && result.value.accounts[0]!.secretAccessKey).toBe('s');
    expect(result.warnings.map(formatIssue)).toEqual([
      'accounts[1]: access key "AKIANOBODY0000000001" belongs to no IAM user of the workspace: every call will fail with InvalidAccessKeyId',
      'templates[1].inbound[0]: prefix "us/Email" overlaps "us/Email" of templates[0].inbound[0] on bucket "drop-bucket": a key under both is imported by each',
    ]);
    expect(result.ok && result.value.templates[0]!.inbound[0]).toMatchObject({
      name: 'Email',
      bucketMode: 'list',
      detection: 'event',
      outcome: 'all-or-nothing',
      region: 'us-east-1',
    });
  });

  it('names unknown accounts, dynamic values and bad integration keys', () => {
    const result = parseWorkspace({
      ...base,
      templates: [
        {
          name: 'Email',
          autoSubmit: true,
          fields: field,
          inbound: [{ account: 'nope', bucket: 'drop/bucket', prefix: '/x/{{user}}', detection: 'push' }],
        },
      ],
    });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'templates[0].inbound[0]: "account" names "nope", which is not in "accounts" (none declared)',
      'templates[0].inbound[0]: "prefix" uses {{user}}; the dynamic values are {{template_name}}, {{submitted_by}}, {{submitted_at}}',
      'templates[0].inbound[0]: "prefix" must not start with "/" (S3 keys have no leading slash)',
      'templates[0].inbound[0]: "bucket" must be the bucket name alone, with no leading or trailing slash, got "drop/bucket"',
      'templates[0].inbound[0]: "detection" must be "event", "poll" or "sqs", got string "push"',
    ]);
  });
});

describe('outbound integrations in the workspace', () => {
  const base = {
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: 'exports' }],
    iam: { users: [{ name: 'p', accessKeyId: 'AKIAPLATFORM00000001', secretAccessKey: 's', policies: [] }] },
    accounts: [{ name: 'a', accessKeyId: 'AKIAPLATFORM00000001' }],
  };
  const fields = [
    { name: 'Campaign Name', type: 'text' },
    { name: 'Channel', type: 'text' },
  ];

  it("fills the product's defaults", () => {
    const result = parseWorkspace({
      ...base,
      templates: [{ name: 'Email', fields, outbound: [{ account: 'a', bucket: 'exports' }] }],
    });
    expect(result.ok && result.value.templates[0]!.outbound[0]).toEqual({
      name: 'Email',
      template: 'Email',
      account: 'a',
      region: 'us-east-1',
      bucketMode: 'list',
      bucket: 'exports',
      sse: false,
      filename: '{{template_name}}{{submitted_at}}',
      pathMode: 'flatten',
      fileType: 'csv',
      delimiter: 'comma',
      summaryHeader: false,
      escapeFormulas: true,
      columns: 'default',
    });
  });

  it('names every problem of an outbound integration', () => {
    const result = parseWorkspace({
      ...base,
      templates: [
        {
          name: 'Email',
          fields,
          outbound: [
            {
              account: 'b',
              bucket: '/exports/',
              filename: '/inbox/{{date}}',
              fileType: 'pdf',
              delimiter: 'pipe',
              columns: [{ field: 'Budget' }, { meta: 'Owner' }, { field: 'Channel', meta: 'Empty' }],
              labelTransform: 'kebab',
            },
          ],
        },
      ],
    });
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'templates[0].outbound[0]: "account" names "b", which is not in "accounts" ("a")',
      'templates[0].outbound[0]: "bucket" must be the bucket name alone, with no leading or trailing slash, got "/exports/"',
      'templates[0].outbound[0]: "filename" uses {{date}}; the dynamic values are {{template_name}}, {{submitted_at}}, {{submitted_by}}, {{submission_name}}',
      'templates[0].outbound[0]: "filename" must not start with "/" (the product: "enter the file path with no leading slash")',
      'templates[0].outbound[0]: "fileType" must be "csv", "xlsx" or "json", got string "pdf"',
      'templates[0].outbound[0].columns[0]: "field" names "Budget", which is not a field of template "Email"',
      'templates[0].outbound[0].columns[1]: "meta" must be one of "Template Name", "Submitter Name", "Submitter Email", "Created Date", "Updated Date", "Empty", got string "Owner"',
      'templates[0].outbound[0].columns[2]: a column names either a "field" or a "meta" field',
      'templates[0].outbound[0]: "labelTransform" must be "spacesToUnderscores", "underscoresToSpaces", "lowercase" or "uppercase", got string "kebab"',
      'templates[0].outbound[0]: "delimiter" must be "comma", "semicolon", "tab" or "space", got string "pipe"',
    ]);
  });
});

describe('requestContext: keys production requests carry', () => {
  const base = (users: unknown[], accounts: unknown[] = []) => ({
    accountId: '123456789012',
    region: 'us-east-1',
    iam: { users },
    accounts,
  });
  const user = (name: string, key: string, requestContext?: unknown) => ({
    name,
    accessKeyId: key,
    secretAccessKey: 's',
    ...(requestContext !== undefined ? { requestContext } : {}),
  });

  it("merges an account's requestContext over its user's, key case ignored", () => {
    const result = parseWorkspace(
      base(
        [user('platform', 'AKIAPLATFORM00000001', { 'aws:SourceIp': '10.0.0.1', 'aws:PrincipalTag/team': 'data' })],
        [{ name: 'prod', accessKeyId: 'AKIAPLATFORM00000001', requestContext: { 'AWS:SOURCEIP': '203.0.113.7' } }],
      ),
    );
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'));
    expect({ ...result.value.iam.users[0]!.requestContext }).toEqual({
      'aws:PrincipalTag/team': 'data',
      'AWS:SOURCEIP': '203.0.113.7',
    });
  });

  it('names each key that cannot be declared and each value of the wrong type', () => {
    const result = parseWorkspace(
      base([
        user('a', 'AKIAAAAAAAAAAAAAAAA1', {
          's3:prefix': 'x',
          'aws:SourceVpcId': 'vpc-1',
          'aws:MultiFactorAuthPresent': { yes: true },
          'aws:SourceVpce': 'vpce-1',
          'aws:sourcevpce': 'vpce-2',
        }),
        user('b', 'AKIAAAAAAAAAAAAAAAA2', ['aws:SourceVpce']),
      ]),
    );
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual([
      'iam.users[0].requestContext: "s3:prefix" is set from each request by the gateway and cannot be declared',
      expect.stringMatching(
        /^iam\.users\[0\]\.requestContext: "aws:SourceVpcId" is not a condition key AWS sets on S3 requests that this harness knows; declarable keys: aws:PrincipalTag\/\*, .*aws:SourceVpce/,
      ),
      'iam.users[0].requestContext: "aws:MultiFactorAuthPresent" must be a string, a boolean, a number or a list of strings, got an object',
      'iam.users[0].requestContext: "aws:sourcevpce" is declared twice (keys ignore case)',
      'iam.users[1]: "requestContext" must be an object such as {"aws:SourceVpce": "vpce-1a2b3c4d"}, got an array',
    ]);
  });
});
