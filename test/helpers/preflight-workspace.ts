/**
 * The demo workspace with integrations that each need something different, for the preflight tests:
 * polling with the intern's ListBucket-on-bucket/* mistake, a `${aws:username}` prefix, an outbound
 * file without SSE into the bucket that requires it, List Buckets mode under the article's policy.
 */
import { readFileSync } from 'node:fs';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';

export function preflightWorkspace(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  raw.accounts.push({
    name: 'acme-intern',
    description: 'The intern: own home folder, ListBucket granted on bucket/* by mistake',
    accessKeyId: 'AKIADEMOINTERN000001',
  });
  raw.templates.push({
    name: 'Notes',
    fields: [{ name: 'Note', type: 'text' }],
    inbound: [
      {
        name: 'Intern home, polled',
        account: 'acme-intern',
        bucketMode: 'manual',
        bucket: 'acme-claravine',
        prefix: 'home/intern/',
        detection: 'poll',
      },
      {
        name: 'Intern home, manual',
        account: 'acme-intern',
        bucketMode: 'manual',
        bucket: 'acme-claravine',
        prefix: 'home/intern/notes/',
      },
      {
        name: 'Listed by the article policy',
        account: 'acme-custom-policy',
        bucketMode: 'list',
        bucket: 'acme-claravine',
        prefix: 'us/notes/',
      },
    ],
    outbound: [
      {
        name: 'Unencrypted export',
        account: 'acme-platform',
        bucketMode: 'manual',
        bucket: 'acme-exports',
        sse: false,
        filename: 'notes/{{template_name}}',
      },
      {
        name: 'Encrypted export, article policy',
        account: 'acme-custom-policy',
        bucketMode: 'manual',
        bucket: 'acme-exports',
        sse: true,
        filename: 'notes/{{template_name}}_{{submitted_at}}',
      },
    ],
  });
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.value;
}
