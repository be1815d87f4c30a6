import { describe, expect, it } from 'vitest';
import { runPreflight, sampleInboundKey } from '../../core/preflight/index.ts';
import { loadWorkspace } from '../helpers/stack.ts';
import { preflightWorkspace } from '../helpers/preflight-workspace.ts';

const NOW = new Date('2026-11-28T09:30:00.000Z');
const report = runPreflight(preflightWorkspace(), { now: NOW });
const integration = (id: string) => {
  const found = report.integrations.find((i) => i.id === id);
  if (!found) throw new Error(`no ${id} in ${report.integrations.map((i) => i.id).join(', ')}`);
  return found;
};
const summary = (id: string) => integration(id).checks.map((c) => [c.action, c.allowed]);

describe('the permission preflight', () => {
  it('on the demo: the import and export are allowed, the article policy cannot read dropped files', () => {
    const demo = runPreflight(loadWorkspace(), { now: NOW });
    expect(demo.integrations.map((i) => [i.id, i.direction, i.user, i.ok])).toEqual([
      ['Email/Email drop', 'inbound', 'platform', true],
      ['Email/Email export', 'outbound', 'platform', true],
      ['Social/Social', 'inbound', 'claravine', false],
    ]);
    expect(demo.integrations[0]!.checks[0]).toMatchObject({
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::acme-claravine/us/submissions/Email.csv',
      decidingStatement: { sid: 'ReadAndWrite' },
    });
    expect(demo.integrations[1]!.checks[0]).toMatchObject({
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::acme-exports/inbox_us_Email_2026-11-28_09-30-00.csv',
      context: { 's3:x-amz-server-side-encryption': 'AES256' },
      allowed: true,
    });
    expect(demo.integrations[2]!.checks[0]!.explanation).toBe(
      'Implicitly denied. No statement of identity policy 0 of user claravine allows s3:GetObject on arn:aws:s3:::acme-claravine/us/social/example.csv.',
    );
    expect(demo).toMatchObject({ ok: false, counts: { integrations: 3, checks: 3, allowed: 2, denied: 1 } });
  });

  it('polling needs ListBucket on the bucket: granted on bucket/* by mistake, it is denied and the mistake named', () => {
    expect(summary('Notes/Intern home, polled')).toEqual([
      ['s3:ListBucket', false],
      ['s3:GetObject', true],
    ]);
    const list = integration('Notes/Intern home, polled').checks[0]!;
    expect(list.context).toEqual({ 's3:prefix': 'home/intern/' });
    expect(list.explanation).toContain('arn:aws:s3:::acme-claravine/* names only its objects');
    // Manual mode with event detection never lists, and ${aws:username} resolves to the intern's own folder.
    expect(summary('Notes/Intern home, manual')).toEqual([['s3:GetObject', true]]);
    expect(integration('Notes/Intern home, manual').checks[0]!.decidingStatement).toMatchObject({
      sid: 'OwnHomeFolder',
    });
  });

  it('List Buckets mode needs ListAllMyBuckets and ListBucket under the prefix', () => {
    expect(summary('Notes/Listed by the article policy')).toEqual([
      ['s3:ListAllMyBuckets', false],
      ['s3:ListBucket', true],
      ['s3:GetObject', false],
    ]);
  });

  it('an export without SSE into a bucket that requires it is explicitly denied by the bucket policy statement', () => {
    const [put] = integration('Notes/Unencrypted export').checks;
    expect(put).toMatchObject({
      action: 's3:PutObject',
      context: {},
      allowed: false,
      effect: 'ExplicitDeny',
      decidingStatement: { sid: 'RequireSSE', source: { kind: 'bucket', bucket: 'acme-exports' } },
    });
    expect(put!.explanation).toContain('request value: absent');
    // The article's custom policy does allow PutObject, with SSE: outbound works where inbound cannot.
    expect(summary('Notes/Encrypted export, article policy')).toEqual([['s3:PutObject', true]]);
  });

  it('uses the bucket policy in force when one is given', () => {
    const withoutPolicy = runPreflight(preflightWorkspace(), { now: NOW, bucketPolicyOf: () => undefined });
    expect(withoutPolicy.integrations.find((i) => i.id === 'Notes/Unencrypted export')!.ok).toBe(true);
  });

  it('says when a decision depends on a key the workspace does not set, and decides as production once it is declared', () => {
    const workspace = loadWorkspace();
    const vpceOnly = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OnlyThroughTheEndpoint',
          Effect: 'Deny' as const,
          Principal: '*' as const,
          Action: 's3:*',
          Resource: 'arn:aws:s3:::acme-claravine/*',
          Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
        },
      ],
    };
    const bucketPolicyOf = (bucket: string) => (bucket === 'acme-claravine' ? vpceOnly : undefined);
    const denied = runPreflight(workspace, { now: NOW, bucketPolicyOf }).integrations[0]!.checks[0]!;
    expect(denied.allowed).toBe(false);
    expect(denied.explanation).toContain(
      'depends on aws:SourceVpce, which this workspace does not set; AWS sets it when the request comes through a VPC endpoint',
    );
    const platform = workspace.iam.users.find((u) => u.name === 'platform')!;
    platform.requestContext = { 'aws:SourceVpce': 'vpce-1a2b3c4d' };
    const allowed = runPreflight(workspace, { now: NOW, bucketPolicyOf }).integrations[0]!.checks[0]!;
    expect([allowed.allowed, allowed.explanation]).toEqual([
      true,
      'Allowed by statement 1 (Sid "ReadAndWrite") of identity policy 0 of user platform.',
    ]);
  });

  it('samples a key an inbound prefix matches', () => {
    expect(sampleInboundKey('us/submissions/{{template_name}}', 'Email')).toBe('us/submissions/Email.csv');
    expect(sampleInboundKey('us/{{submitted_by}}/', 'Email')).toBe('us/example/example.csv');
    expect(sampleInboundKey('', 'Email')).toBe('example.csv');
  });
});
