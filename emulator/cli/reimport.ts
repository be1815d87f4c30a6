/**
 * `s3-harness reimport ID`: imports a submission's object again (after a policy or template fix, say),
 * through the API of a running `s3-harness start`; the new submissions say which one they replace.
 */
import type { Submission } from '../../core/submissions/index.ts';
import { DEFAULT_API_URL } from '../defaults.ts';
import { whyFailed } from '../engine/report.ts';
import { call, harnessApi, type ApiError } from './api-client.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const REIMPORT_USAGE = `Usage: s3-harness reimport SUBMISSION_ID [--api URL]

Imports the object of a submission again, failed or complete (the same version of the object, read
again), and prints the new submissions and the one they replace (a complete one that replaces another
takes its place in the template's dataset). Exit 0 when none failed, 1 when the import failed, 2 on a
usage error or when the submission cannot be imported again (unknown, or its integration is gone).

--api   the API of a running "s3-harness start"; default: the S3_HARNESS_API environment variable, else
        ${DEFAULT_API_URL}`;

export async function runReimport(args: string[]): Promise<number> {
  const parsed = commandArgs('reimport', {
    args,
    strict: true,
    allowPositionals: true,
    options: { api: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(REIMPORT_USAGE);
    return EXIT.ok;
  }
  const [submissionId, ...extra] = positionals;
  if (!submissionId || extra.length)
    throw new UsageError('reimport takes one submission id (see s3-harness reimport --help)');
  const api = harnessApi(values.api);
  const answer = await call<{ submissions: Submission[] } | ApiError>(
    api,
    `/api/submissions/${encodeURIComponent(submissionId)}/reimport`,
    { method: 'POST' },
  );
  if (answer.status !== 200) throw new UsageError((answer.body as ApiError).error.message);
  const { submissions } = answer.body as { submissions: Submission[] };
  if (submissions.length === 0) {
    console.log(`the object of ${submissionId} changed since it was dropped; its new version is imported on its own`);
    return EXIT.ok;
  }
  for (const s of submissions) {
    console.log(`${s.id} ${s.status.toUpperCase()} ${s.name} (replaces ${s.replaces})`);
    if (s.status === 'failed') console.log(`    ${whyFailed(s)}`);
  }
  return submissions.some((s) => s.status === 'failed') ? EXIT.failed : EXIT.ok;
}
