/** `s3-harness mirror`: a workspace that reproduces the customer's real bucket and IAM user (docs/go-live.md). */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { formatIssue } from '../../core/shared/issues.ts';
import { mirrorAccount, MirrorError, sampleObjects, type MirrorResult } from '../go-live/mirror.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const MIRROR_USAGE = `Usage: s3-harness mirror --bucket B [--bucket B2 ...] [--user U] [--profile P]
                        [--region R] [--out FILE] [--force] [--json]
                        [--objects PREFIX --max N [--objects-dir DIR]]

Reads what governs an integration in a real AWS account and writes a workspace that reproduces it:
each bucket's policy, default encryption, versioning and region, and the IAM user's inline, attached
and group policies and permissions boundary. Credentials come from the standard AWS provider chain
(environment, --profile, SSO); they are used for the calls only, never written or shown: the
workspace gets newly generated local keys. Nothing is written to the account, and no object is read.

  --bucket B     a bucket the integration uses (repeatable; required)
  --user U       the IAM user to mirror (default: the user of the credentials, iam:GetUser)
  --profile P    a profile of ~/.aws/config
  --region R     where calls go before a bucket's region is known (default: us-east-1)
  --out FILE     the workspace file to write (default: mirrored-workspace.json)
  --force        overwrite FILE
  --json         print what was read and what was not as JSON
  --objects P    also copy up to --max N objects under prefix P of each bucket, for a rehearsal with
                 the customer's own files (s3:ListBucket, s3:GetObject), into --objects-dir
                 (default: FILE's name + ".objects"), as DIR/<bucket>/<key>

Every call that fails is reported in one line that says why (AWS could not be reached, no usable
credentials, throttled, refused, not found) and what the workspace lacks because of it, and the rest
is still written. Exit 0 when everything was read and the file written, 1 when the file was written
without something that could not be read (each named), 2 on a usage error or when nothing could be
read (no file is written then).`;

function formatResult(result: MirrorResult, out: string, loads: string[]): string {
  const lines = [`Wrote ${out}.`, '', 'Read:'];
  for (const item of result.read) lines.push(`  ${item}`);
  const failures = result.notes.filter((n) => n.kind);
  const remarks = result.notes.filter((n) => !n.kind);
  if (failures.length) {
    lines.push('', 'Could not read (the workspace lacks what follows):');
    for (const note of failures) lines.push(`  ${note.call}: ${note.outcome}`, `    -> ${note.consequence}`);
  }
  if (remarks.length) {
    lines.push('', 'Remarks:');
    for (const note of remarks) lines.push(`  ${note.call}: ${note.outcome}`, `    -> ${note.consequence}`);
  }
  if (loads.length) lines.push('', `The file does not load yet; fix it first:`, ...loads.map((l) => `  ${l}`));
  lines.push(
    '',
    "Next: add the integration's templates, then rehearse locally with",
    `  s3-harness start --workspace ${out}`,
    `  s3-harness preflight --workspace ${out}`,
  );
  return lines.join('\n');
}

export async function runMirrorCommand(args: string[]): Promise<number> {
  const { values } = commandArgs('mirror', {
    args,
    strict: true,
    options: {
      bucket: { type: 'string', multiple: true },
      user: { type: 'string' },
      profile: { type: 'string' },
      region: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      objects: { type: 'string' },
      max: { type: 'string' },
      'objects-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(MIRROR_USAGE);
    return EXIT.ok;
  }
  if (!values.bucket?.length) throw new UsageError('--bucket B is required (see s3-harness mirror --help)');
  const out = values.out ?? 'mirrored-workspace.json';
  const max = values.max === undefined ? undefined : Number(values.max);
  if (values.objects !== undefined && !(Number.isInteger(max) && max! >= 1 && max! <= 1000))
    throw new UsageError('--objects needs --max N, a number of objects from 1 to 1000');
  if (existsSync(out) && !values.force) throw new UsageError(`${out} exists: choose another --out, or --force`);
  let result: MirrorResult;
  try {
    result = await mirrorAccount({
      buckets: values.bucket,
      ...(values.user ? { userName: values.user } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values.region ? { region: values.region } : {}),
    });
  } catch (error) {
    // AWS unreachable, no usable credentials, a refused GetUser without --user: one line, never a secret.
    if (error instanceof MirrorError) throw new UsageError(error.message);
    throw error;
  }
  if (result.read.length === 0) {
    // Nothing read: a file would only look like a mirror.
    for (const note of result.notes) console.error(`${note.call}: ${note.outcome}`);
    throw new UsageError(`nothing could be read from the account: ${out} was not written`);
  }
  await writeFile(out, `${JSON.stringify(result.workspace, null, 2)}\n`);
  if (values.objects !== undefined) {
    const directory = values['objects-dir'] ?? `${out.replace(/\.json$/, '')}.objects`;
    for (const bucket of values.bucket) {
      const sampled = await sampleObjects({
        bucket,
        prefix: values.objects,
        max: max!,
        directory,
        region: String(result.workspace.region),
        ...(values.profile ? { profile: values.profile } : {}),
      });
      result.read.push(...sampled.written.map((o) => `object ${o} (into ${directory})`));
      result.notes.push(...sampled.notes);
    }
  }
  const parsed = parseWorkspace(result.workspace);
  const loads = parsed.ok ? [] : parsed.issues.map(formatIssue);
  console.log(
    values.json
      ? JSON.stringify({ out, read: result.read, notes: result.notes, problems: loads }, null, 2)
      : formatResult(result, out, loads),
  );
  return result.notes.some((n) => n.kind) ? EXIT.failed : EXIT.ok;
}
