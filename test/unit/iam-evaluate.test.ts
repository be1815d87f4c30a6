import { describe, expect, it } from 'vitest';
import { decide, evaluate, validatePolicy, type PolicyStatement } from '../../core/iam/index.ts';
import { bucketPolicy, identity, request, user } from '../helpers/iam.ts';

// The product article's custom policy: PutObject and ListBucket on the bucket, the folder and folder/*.
const articleCustomPolicy = identity([
  {
    Sid: 'VisualEditor0',
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:ListBucket'],
    Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/folder', 'arn:aws:s3:::my-bucket/folder/*'],
  },
]);

describe('evaluate', () => {
  it('allows what a statement grants and names the statement', () => {
    const d = evaluate(request('s3:PutObject', 'arn:aws:s3:::my-bucket/folder/a.csv'), [articleCustomPolicy]);
    expect(d.effect).toBe('Allow');
    expect(d.decidingStatement).toEqual({
      source: { kind: 'identity', userName: 'uma', index: 0 },
      statementIndex: 0,
      sid: 'VisualEditor0',
    });
    expect(d.explanation).toContain('statement 0 (Sid "VisualEditor0") of identity policy 0 of user uma');
  });

  it('denies GetObject under the article custom policy: it grants no s3:GetObject', () => {
    const d = evaluate(request('s3:GetObject', 'arn:aws:s3:::my-bucket/folder/a.csv'), [articleCustomPolicy]);
    expect(d.effect).toBe('ImplicitDeny');
    expect(d.explanation).toMatch(/No statement of identity policy 0 of user uma allows s3:GetObject/);
  });

  it('explains a ListBucket statement on bucket/* that never matches', () => {
    const p = identity([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b/*' }]);
    const d = evaluate(request('s3:ListBucket', 'arn:aws:s3:::b'), [p]);
    expect(d.effect).toBe('ImplicitDeny');
    expect(d.explanation).toContain('arn:aws:s3:::b/* names only its objects');
  });

  it("says which condition made a Deny apply, with the request's value", () => {
    const p = identity([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' },
      {
        Sid: 'RequireSSE',
        Effect: 'Deny',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
      },
    ]);
    const d = evaluate(request('s3:PutObject', 'arn:aws:s3:::b/k'), [p]);
    expect(d.effect).toBe('ExplicitDeny');
    expect(d.explanation).toBe(
      'Explicitly denied: statement 1 (Sid "RequireSSE") of identity policy 0 of user uma denies s3:PutObject on arn:aws:s3:::b/k: its condition StringNotEquals s3:x-amz-server-side-encryption "AES256" holds (request value: absent).',
    );
    const encrypted = evaluate(
      request('s3:PutObject', 'arn:aws:s3:::b/k', { 's3:x-amz-server-side-encryption': 'AES256' }),
      [p],
    );
    expect(encrypted.effect).toBe('Allow');
  });

  it('lets an explicit deny win over an allow', () => {
    const p = identity([
      { Effect: 'Allow', Action: 's3:*', Resource: '*' },
      { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::b/*' },
    ]);
    const d = evaluate(request('s3:DeleteObject', 'arn:aws:s3:::b/k'), [p]);
    expect(d.effect).toBe('ExplicitDeny');
    expect(d.decidingStatement?.sid).toBe('NoDelete');
  });

  it('supports NotAction and NotResource', () => {
    const p = identity([{ Effect: 'Allow', NotAction: 's3:Delete*', NotResource: 'arn:aws:s3:::secret/*' }]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [p]).allowed).toBe(true);
    expect(evaluate(request('s3:DeleteObject', 'arn:aws:s3:::b/k'), [p]).allowed).toBe(false);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::secret/k'), [p]).allowed).toBe(false);
  });

  it('matches actions ignoring case and resources respecting it', () => {
    const p = identity([{ Effect: 'Allow', Action: 'S3:getobject', Resource: 'arn:aws:s3:::b/Reports/*' }]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/Reports/x'), [p]).allowed).toBe(true);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/reports/x'), [p]).allowed).toBe(false);
  });

  it('substitutes ${aws:username} in resources and condition values', () => {
    const p = identity([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/home/${aws:username}/*' },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::b',
        Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } },
      },
    ]);
    expect(evaluate(request('s3:PutObject', 'arn:aws:s3:::b/home/uma/f'), [p]).allowed).toBe(true);
    expect(evaluate(request('s3:PutObject', 'arn:aws:s3:::b/home/bob/f'), [p]).allowed).toBe(false);
    expect(evaluate(request('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'home/uma/x' }), [p]).allowed).toBe(true);
    expect(evaluate(request('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'home/bob/x' }), [p]).allowed).toBe(
      false,
    );
  });

  it('treats ${*} as a literal star, not a wildcard', () => {
    const p = identity([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${*}' }]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/*'), [p]).allowed).toBe(true);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/x'), [p]).allowed).toBe(false);
  });

  it('denies uploads without the SSE header (StringNotEquals on an absent key is true)', () => {
    const policies = [
      identity([{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }]),
      bucketPolicy('b', [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::b/*',
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
        },
      ]),
    ];
    expect(evaluate(request('s3:PutObject', 'arn:aws:s3:::b/k'), policies).effect).toBe('ExplicitDeny');
    expect(
      evaluate(request('s3:PutObject', 'arn:aws:s3:::b/k', { 's3:x-amz-server-side-encryption': 'AES256' }), policies)
        .effect,
    ).toBe('Allow');
  });

  it('applies IfExists, Null, Bool, Numeric, IpAddress and Date operators', () => {
    const cases: [object, Record<string, string>, boolean][] = [
      [{ StringEqualsIfExists: { 's3:delimiter': '/' } }, {}, true],
      [{ StringEqualsIfExists: { 's3:delimiter': '/' } }, { 's3:delimiter': '-' }, false],
      [{ Null: { 's3:x-amz-server-side-encryption': 'true' } }, {}, true],
      [{ Null: { 's3:x-amz-server-side-encryption': true } }, { 's3:x-amz-server-side-encryption': 'AES256' }, false],
      [{ Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }, true],
      // Re-checked against the condition operator reference: an absent key fails Bool and the
      // positive operators, satisfies ...IfExists and the negated operators.
      [{ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': 'false' }, true],
      [{ Bool: { 'aws:SecureTransport': 'false' } }, {}, false],
      [{ BoolIfExists: { 'aws:SecureTransport': 'true' } }, {}, true],
      [{ BoolIfExists: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'false' }, false],
      [{ StringNotEquals: { 's3:delimiter': '/' } }, {}, true],
      [{ StringNotEqualsIfExists: { 's3:delimiter': '/' } }, { 's3:delimiter': '/' }, false],
      [{ NumericLessThan: { 's3:max-keys': '5' } }, {}, false],
      [{ NumericLessThanIfExists: { 's3:max-keys': '5' } }, {}, true],
      [{ NumericLessThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, true],
      [{ NumericLessThanEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': '11' }, false],
      [{ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }, true],
      [{ NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }, { 'aws:SourceIp': '10.1.1.1' }, true],
      [{ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } }, { 'aws:SourceIp': '2001:db8::1' }, true],
      [
        { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
        { 'aws:CurrentTime': '2026-11-28T00:00:00Z' },
        true,
      ],
      [{ StringEqualsIgnoreCase: { 'aws:username': 'UMA' } }, {}, true],
      [{ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/u*' } }, {}, true],
    ];
    for (const [Condition, context, expected] of cases) {
      const p = identity([{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: Condition as never }]);
      expect(
        evaluate(request('s3:ListBucket', 'arn:aws:s3:::b', context), [p]).allowed,
        JSON.stringify(Condition),
      ).toBe(expected);
    }
  });

  it('applies ForAnyValue and ForAllValues to multivalued keys', () => {
    const any = identity([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
      },
    ]);
    const all = identity([
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } },
      },
    ]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k', { 'aws:TagKeys': ['a', 'z'] }), [any]).allowed).toBe(
      true,
    );
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k', { 'aws:TagKeys': ['a', 'z'] }), [all]).allowed).toBe(
      false,
    );
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k', {}), [any]).allowed).toBe(false);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k', {}), [all]).allowed).toBe(true);
  });

  it('condition key names ignore case', () => {
    const p = identity([
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: '*', Condition: { StringEquals: { 'S3:Prefix': 'x/' } } },
    ]);
    expect(evaluate(request('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'x/' }), [p]).allowed).toBe(true);
  });

  it('grants through a same-account bucket policy naming the user, not one naming the account', () => {
    const byUser = bucketPolicy('b', [
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:user/uma' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
      },
    ]);
    const byAccount = bucketPolicy('b', [
      { Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' },
    ]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [byUser]).allowed).toBe(true);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k', {}, user('bob')), [byUser]).allowed).toBe(false);
    const d = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [byAccount]);
    expect(d.allowed).toBe(false);
    expect(d.explanation).toContain('delegates the decision');
  });

  it('lets Principal "*" in a bucket policy admit anonymous callers', () => {
    const p = bucketPolicy('b', [
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/public/*' },
    ]);
    expect(evaluate(request('s3:GetObject', 'arn:aws:s3:::b/public/x', {}, { kind: 'anonymous' }), [p]).allowed).toBe(
      true,
    );
  });
});

describe('validatePolicy', () => {
  it('names the statement and element of every problem', () => {
    const issues = validatePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Effect: 'Alow', Action: 'GetObject', Resource: 'bucket' },
          {
            Effect: 'Deny',
            Action: 's3:*',
            NotAction: 's3:Get*',
            Resource: '*',
            Condition: { StringEqualz: { k: 'v' } },
            Principal: '*',
          },
        ],
      },
      'iam.users[1].policies[0]',
      { kind: 'identity' },
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'iam.users[1].policies[0].Statement[1]: "Effect" must be "Allow" or "Deny", got string "Alow"',
      'iam.users[1].policies[0].Statement[1]: "Action" value "GetObject" must look like "s3:GetObject" (service:Action, wildcards allowed)',
      'iam.users[1].policies[0].Statement[1]: "Resource" value "bucket" must be "*" or an ARN such as "arn:aws:s3:::bucket/key"',
      'iam.users[1].policies[0].Statement[2]: use either "Action" or "NotAction", not both',
      'iam.users[1].policies[0].Statement[2]: "Principal" is not allowed in an identity policy (it belongs in a bucket policy)',
      expect.stringMatching(
        /^iam.users\[1\].policies\[0\].Statement\[2\]: "Condition" operator "StringEqualz" is not supported/,
      ),
    ]);
  });

  it('requires a Principal in bucket policies and resources of that bucket', () => {
    const issues = validatePolicy(
      { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }] },
      'buckets[0].policy',
      { kind: 'bucket', bucket: 'b' },
    );
    expect(issues.map((i) => i.message)).toEqual([
      '"Resource" value "arn:aws:s3:::other/*" must refer to bucket "b" (arn:aws:s3:::b or arn:aws:s3:::b/...)',
      '"Principal" (or "NotPrincipal") is required',
    ]);
  });
});

describe('decisions that depend on keys this workspace does not model', () => {
  const vpceOnly = bucketPolicy('b', [
    {
      Sid: 'VpceOnly',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: 'arn:aws:s3:::b/*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } },
    },
  ]);
  const everything = identity([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);

  it('a Deny that applied because the key is absent names the key and when AWS sets it', () => {
    const d = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [everything, vpceOnly]);
    expect(d.effect).toBe('ExplicitDeny');
    expect(d.unmodelledKeys).toEqual([
      expect.objectContaining({
        key: 'aws:SourceVpce',
        effect: 'Deny',
        statement: expect.objectContaining({ sid: 'VpceOnly' }),
      }),
    ]);
    expect(d.explanation).toContain('AWS sets it when the request comes through a VPC endpoint');
  });

  it('a declared key decides as production would, with nothing to report', () => {
    const declared = {
      ...request('s3:GetObject', 'arn:aws:s3:::b/k', { 'aws:SourceVpce': 'vpce-1' }),
      declaredKeys: new Set(['aws:sourcevpce']),
    };
    const d = evaluate(declared, [everything, vpceOnly]);
    expect(d.effect).toBe('Allow');
    expect(d.unmodelledKeys).toEqual([]);
  });

  it('an Allow that failed only on an unmodelled key is named in an implicit deny; one that also failed on a request key is not', () => {
    const tagged = identity([
      {
        Sid: 'TeamOnly',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data' } },
      },
      {
        Sid: 'TeamAndPrefix',
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: '*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': 'data', 's3:prefix': 'home/' } },
      },
    ]);
    const get = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [tagged]);
    expect(get.unmodelledKeys.map((u) => [u.key, u.statement.sid])).toEqual([['aws:PrincipalTag/team', 'TeamOnly']]);
    expect(get.explanation).toContain('In production, statement 0 (Sid "TeamOnly")');
    const list = evaluate(request('s3:ListBucket', 'arn:aws:s3:::b', { 's3:prefix': 'other/' }), [tagged]);
    expect(list.unmodelledKeys).toEqual([]);
  });

  it('an Allow whose Deny failed only on an unmodelled key warns; an unknown key is reported, never silent', () => {
    const mfaDeny = bucketPolicy('b', [
      {
        Sid: 'NoOrgOutsiders',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-outsider' } },
      },
    ]);
    const d = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [everything, mfaDeny]);
    expect(d.effect).toBe('Allow');
    expect(d.unmodelledKeys.map((u) => u.key)).toEqual(['aws:PrincipalOrgID']);
    const typo = identity([
      {
        Sid: 'Typo',
        Effect: 'Allow',
        Action: 's3:*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceVpcId': 'vpc-1' } },
      },
    ]);
    const t = evaluate(request('s3:GetObject', 'arn:aws:s3:::b/k'), [typo]);
    expect(t.effect).toBe('ImplicitDeny');
    expect(t.explanation).toContain(
      'aws:SourceVpcId, which this harness does not know: AWS may or may not set it (check its spelling)',
    );
  });
});

describe('permissions boundaries', () => {
  const allowAll = [{ Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }];
  const boundary = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow' as const, Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' },
      { Effect: 'Deny' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/secret/*' },
    ],
  };
  const caller = {
    principal: user('uma'),
    user: { name: 'uma', policies: [{ Version: '2012-10-17', Statement: allowAll }], permissionsBoundary: boundary },
  };
  const policies = (bucketStatements: PolicyStatement[] = []) => [
    identity(allowAll),
    ...(bucketStatements.length ? [bucketPolicy('b', bucketStatements)] : []),
  ];
  const ask = (action: string, resource: string, bucketStatements: PolicyStatement[] = []) =>
    decide(caller, { action, resource, context: {} }, policies(bucketStatements), {});

  it('an identity Allow counts only where the boundary allows; a Deny in the boundary denies', () => {
    expect(ask('s3:GetObject', 'arn:aws:s3:::b/k').allowed).toBe(true);
    const put = ask('s3:PutObject', 'arn:aws:s3:::b/k');
    expect([put.effect, put.deniedByBoundary]).toEqual(['ImplicitDeny', true]);
    expect(put.explanation).toContain("but the user's permissions boundary does not allow it");
    const secret = ask('s3:GetObject', 'arn:aws:s3:::b/secret/x');
    expect([secret.effect, secret.decidingStatement?.source.kind]).toEqual(['ExplicitDeny', 'boundary']);
  });

  it('a bucket policy that grants to the user itself is not capped by the boundary', () => {
    const grant: PolicyStatement = {
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:user/uma' },
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::b/*',
    };
    const granted = ask('s3:PutObject', 'arn:aws:s3:::b/k', [grant]);
    expect([granted.allowed, granted.decidingStatement?.source.kind]).toEqual([true, 'bucket']);
  });
});
