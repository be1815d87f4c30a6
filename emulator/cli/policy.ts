/** `s3-harness policy`: the least-privilege identity policy of each connected account, ready to attach. */
import { leastPrivilegePolicies, type GeneratedPolicy, type PolicyOptions } from '../../core/preflight/index.ts';
import { DEFAULTS } from '../defaults.ts';
import { loadWorkspaceFile } from '../workspace-file.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const POLICY_USAGE = `Usage: s3-harness policy [--workspace FILE] [--account NAME] [--per account|integration]
                         [--bucket-mode list|manual] [--no-list-buckets] [--json | --document]

Writes the IAM identity policy each connected account needs for its integrations, and nothing more:
one statement per need (read the dropped files, list the drop folder, write each submission's file,
list the buckets for the bucket dropdown), each with a Sid saying what it is for, exact resources
(the bucket, the prefix wildcard), the s3:prefix condition for listing and the SSE condition for
encrypted writes. It is checked as the gateway decides: a user holding exactly it may make every
request its integrations make. A need the bucket policy already grants gets no statement; a need a
Deny or a permissions boundary refuses is named (no Allow can change it).

  --account NAME         one account's policy (default: every account an integration uses)
  --per integration      one policy per integration instead of one per account
  --bucket-mode MODE     write it for Manual Bucket Entry or List Buckets, whatever the integrations say
  --no-list-buckets      List Buckets mode without s3:ListAllMyBuckets (the product falls back to Manual
                         Bucket Entry)
  --json                 the policies, why each statement is there, and what is not granted, for machines
  --document             the policy document alone (one policy: name --account), to save and attach

Exit 0 when every policy is enough, 1 when a need is blocked by a Deny or a boundary, 2 on a usage
error, an invalid workspace, or nothing to grant.`;

export function formatPolicy(policy: GeneratedPolicy): string {
  const whose = policy.user ? `account ${policy.account} (IAM user ${policy.user})` : `account ${policy.account}`;
  const lines = [
    `Policy for ${whose}${policy.integration ? `, integration ${policy.integration}` : ''}: attach it to the user whose keys the platform holds`,
    JSON.stringify(policy.document, null, 2),
    'Why each statement is there:',
  ];
  for (const { statement, reasons } of policy.statements) {
    lines.push(`  ${statement.Sid}: ${reasons.map((r) => `${r.integration} ${r.purpose}`).join('; ')}`);
  }
  for (const need of policy.grantedByBucketPolicy)
    lines.push(`Not in it: ${need.action} on ${need.resource} (${need.integration}): ${need.explanation}`);
  for (const need of policy.leftOut) lines.push(`Left out: ${need.action} (${need.integration}): ${need.explanation}`);
  for (const need of policy.blocked)
    lines.push(
      `BLOCKED: ${need.action} on ${need.resource} (${need.integration} ${need.purpose}): no Allow can change this. ${need.explanation}`,
    );
  lines.push(
    policy.enough
      ? 'Checked: a user holding exactly this policy may make every request of these integrations.'
      : 'NOT ENOUGH: the requests above stay denied whatever this policy says.',
  );
  return lines.join('\n');
}

function parsePolicyArgs(args: string[]) {
  return commandArgs('policy', {
    args,
    strict: true,
    options: {
      workspace: { type: 'string' },
      account: { type: 'string' },
      per: { type: 'string' },
      'bucket-mode': { type: 'string' },
      'no-list-buckets': { type: 'boolean' },
      json: { type: 'boolean' },
      document: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function policyOptions(values: ReturnType<typeof parsePolicyArgs>): PolicyOptions {
  const { per, 'bucket-mode': bucketMode } = values;
  if (per !== undefined && per !== 'account' && per !== 'integration')
    throw new UsageError(`--per takes "account" or "integration", not "${per}"`);
  if (bucketMode !== undefined && bucketMode !== 'list' && bucketMode !== 'manual')
    throw new UsageError(`--bucket-mode takes "list" or "manual", not "${bucketMode}"`);
  if (values.json && values.document) throw new UsageError('--json and --document: choose one');
  return {
    ...(values.account !== undefined ? { account: values.account } : {}),
    ...(per ? { per } : {}),
    ...(bucketMode ? { bucketMode } : {}),
    ...(values['no-list-buckets'] ? { listAllMyBuckets: false } : {}),
  };
}

export async function runPolicyCommand(args: string[]): Promise<number> {
  const values = parsePolicyArgs(args);
  if (values.help) {
    console.log(POLICY_USAGE);
    return EXIT.ok;
  }
  const options = policyOptions(values);
  const file = values.workspace ?? DEFAULTS.demoWorkspace;
  const { workspace } = await loadWorkspaceFile(file);
  const result = leastPrivilegePolicies(workspace, options);
  if (!result.ok) throw new UsageError(`${file}: ${result.error}`);
  const { policies } = result;
  if (values.document) {
    if (policies.length !== 1)
      throw new UsageError(
        `--document prints one policy, and there are ${policies.length} (name one with --account${options.per === 'integration' ? ', or leave out --per integration' : ''})`,
      );
    console.log(JSON.stringify(policies[0]!.document, null, 2));
  } else {
    console.log(values.json ? JSON.stringify({ policies }, null, 2) : policies.map(formatPolicy).join('\n\n'));
  }
  return policies.every((p) => p.enough) ? EXIT.ok : EXIT.failed;
}
