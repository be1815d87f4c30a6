import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { formatIssue } from '../../core/shared/issues.ts';

describe('parseWorkspace', () => {
  it('accepts the demo workspace', () => {
    const result = parseWorkspace(JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')));
    expect(result.ok ? result.value.iam.users.map((u) => u.name) : result.issues).toEqual(['admin', 'uploader', 'platform', 'claravine', 'reader', 'intern']);
  });

  it('lists every problem with its path and what was expected', () => {
    const result = parseWorkspace({
      accountId: '1234', region: 'us-east-1', bukets: [],
      buckets: [{ name: 'Bad_Bucket' }, { name: 'ok-bucket', defaultEncryption: 'KMS' }],
      iam: { users: [
        { name: 'a', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 's', policies: [] },
        { name: 'a', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: '', policies: [{ Version: '2012-10-17', Statement: [
          { Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Effect: 'Permit', Action: 's3:*', Resource: '*' }] }] },
      ] },
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
