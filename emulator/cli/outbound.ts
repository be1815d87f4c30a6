/** `s3-harness outbound preview`: the key and first lines of each outbound file, without writing it. */
import { join, resolve } from 'node:path';
import { previewOutbound, sampleSubmission, type FieldValues } from '../../core/outbound/index.ts';
import { openSubmissionStore } from '../engine/submission-store.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { loadTemplate } from './workspace-options.ts';
import { commandArgs } from './command-args.ts';

export const OUTBOUND_USAGE = `Usage: s3-harness outbound preview --template NAME [--workspace FILE] [--integration NAME]
                                  [--submission ID [--data DIR]] [--lines N]

Prints, for each outbound integration of the template, the object key and the first lines of the
file it would write, without writing anything. With --submission, the rows of that submission (from
the data folder, default .s3-harness); without, one sample row.`;

export async function runOutbound(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === undefined) {
    console.log(OUTBOUND_USAGE);
    return subcommand === undefined ? EXIT.usage : EXIT.ok;
  }
  if (subcommand !== 'preview')
    throw new UsageError(`unknown outbound command "${subcommand}" (see s3-harness outbound --help)`);
  const { values } = commandArgs('outbound preview', {
    args: rest,
    strict: true,
    options: {
      workspace: { type: 'string' },
      template: { type: 'string' },
      integration: { type: 'string' },
      submission: { type: 'string' },
      data: { type: 'string' },
      lines: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(OUTBOUND_USAGE);
    return EXIT.ok;
  }
  const lines = Number(values.lines ?? 8);
  if (!Number.isInteger(lines) || lines < 1)
    throw new UsageError(`--lines must be a whole number of at least 1, got "${values.lines}"`);
  const { template } = await loadTemplate(values.workspace, values.template);
  const integrations = template.outbound.filter(
    (o) => values.integration === undefined || o.name === values.integration,
  );
  if (integrations.length === 0) {
    throw new UsageError(
      values.integration
        ? `template "${template.name}" has no outbound integration "${values.integration}"`
        : `template "${template.name}" has no outbound integrations`,
    );
  }
  let source = sampleSubmission(template, new Date());
  if (values.submission) {
    const store = await openSubmissionStore(join(resolve(values.data ?? '.s3-harness'), 'engine'), () => '', {
      readOnly: true,
    });
    const submission = store.submission(values.submission);
    if (!submission || submission.template !== template.name)
      throw new UsageError(
        `no submission "${values.submission}" of template "${template.name}" in ${values.data ?? '.s3-harness'}`,
      );
    const rows: FieldValues[] = [];
    for await (const row of store.accepted(submission.id)) {
      rows.push(row);
      if (rows.length >= lines) break;
    }
    source = { submission, rows };
  }
  const targets = template.outbound.map((o) => o.name).join(', ');
  for (const integration of integrations) {
    const preview = await previewOutbound(template, integration, source.submission, source.rows, { lines, targets });
    const format = integration.fileType === 'csv' ? `csv, ${integration.delimiter}` : integration.fileType;
    console.log(
      `${integration.name}: s3://${integration.bucket}/${preview.key} (${format}${integration.sse ? ', SSE-S3' : ''})`,
    );
    for (const line of preview.lines) console.log(`  ${line}`);
  }
  return EXIT.ok;
}
