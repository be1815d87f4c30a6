/** Which bucket policies S3 Block Public Access calls public (core/iam/public-policy.ts). */
import { describe, expect, it } from 'vitest';
import { isPublicPolicy, type PolicyDocument, type PolicyStatement } from '../../core/iam/index.ts';

const policy = (statement: Partial<PolicyStatement>): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...statement }],
});

describe('a public bucket policy', () => {
  it.each([
    ['Principal "*"', policy({ Principal: '*' }), true],
    ['Principal {"AWS": "*"}', policy({ Principal: { AWS: '*' } }), true],
    ['one account', policy({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), false],
    ['a Deny for everyone', policy({ Effect: 'Deny', Principal: '*' }), false],
    [
      '"*" fixed to one address',
      policy({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/32' } } }),
      false,
    ],
    [
      '"*" with the whole Internet',
      policy({ Principal: '*', Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }),
      true,
    ],
    [
      '"*" fixed to a VPC endpoint',
      policy({ Principal: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } }),
      false,
    ],
    [
      '"*" with a wildcard account',
      policy({ Principal: '*', Condition: { StringLike: { 'aws:PrincipalAccount': '*' } } }),
      true,
    ],
    [
      '"*" with an unrelated condition',
      policy({ Principal: '*', Condition: { StringEquals: { 's3:prefix': 'a/' } } }),
      true,
    ],
    ['no policy', undefined, false],
  ] as const)('%s: %s', (_what, document, expected) => {
    expect(isPublicPolicy(document as PolicyDocument | undefined)).toBe(expected);
  });
});
