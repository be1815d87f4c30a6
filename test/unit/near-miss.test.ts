/** Why no integration takes a dropped key (core/inbound/near-miss.ts): the nearest one and what differs. */
import { describe, expect, it } from 'vitest';
import { whyNotTaken, type NearMissCandidate } from '../../core/inbound/index.ts';

const email: NearMissCandidate = {
  id: 'Email/Email drop',
  bucket: 'acme-claravine',
  prefix: 'us/submissions/{{template_name}}',
  templateName: 'Email',
};
const social: NearMissCandidate = {
  id: 'Social/Social',
  bucket: 'acme-claravine',
  prefix: 'us/social/',
  templateName: 'Social',
};
const dated: NearMissCandidate = {
  id: 'Budgets/Drop',
  bucket: 'gov',
  prefix: 'drops/{{submitted_at}}/',
  templateName: 'Budgets',
};
const all = [email, social, dated];

describe('why no integration takes a key', () => {
  it('names nothing when one takes it', () => {
    expect(whyNotTaken(all, 'acme-claravine', 'us/submissions/Email_2026.csv')).toBeUndefined();
  });

  it('the case, the folder, the template name, a dynamic value, the bucket', () => {
    expect(whyNotTaken(all, 'acme-claravine', 'us/submissions/email_lower.csv')).toEqual({
      integration: 'Email/Email drop',
      prefix: 'us/submissions/{{template_name}}',
      reason:
        'the case differs: the prefix "us/submissions/{{template_name}}" takes keys starting "us/submissions/Email", and S3 prefixes are case-sensitive',
    });
    expect(whyNotTaken(all, 'acme-claravine', 'us/Email.csv')).toMatchObject({
      integration: 'Email/Email drop',
      reason:
        'another folder: the prefix "us/submissions/{{template_name}}" takes keys in "us/submissions/", this key is in "us/"',
    });
    expect(whyNotTaken(all, 'acme-claravine', 'us/submissions/Budgets.csv')).toMatchObject({
      integration: 'Email/Email drop',
      reason:
        'the template\'s name: the prefix "us/submissions/{{template_name}}" expects "Email" where the key has another name',
    });
    expect(whyNotTaken(all, 'gov', 'drops/yesterday/q1.csv')).toMatchObject({
      integration: 'Budgets/Drop',
      reason:
        'the {{submitted_at}} part of the prefix "drops/{{submitted_at}}/" must be a time such as 2026-11-28_09-30-00',
    });
    expect(whyNotTaken(all, 'acme-exports', 'x.csv')).toEqual({
      reason: 'no inbound integration watches bucket acme-exports (they watch acme-claravine, gov)',
    });
  });
});
