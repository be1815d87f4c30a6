/** `s3-harness validate`: the import's checks as a dry run, before anyone drops anything. */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { validateTemplateFile, type FileIssue, type FileValidationResult } from '../../core/files/index.ts';
import type { DerivationContext } from '../../core/templates/index.ts';
import { loadTemplate } from './workspace-options.ts';
import { commandArgs } from './command-args.ts';
import { EXIT, UsageError } from './usage-error.ts';

export const VALIDATE_USAGE = `Usage: s3-harness validate FILE --template NAME [--workspace FILE] [--json] [--row-limit N]

Checks a filled-in template file as an import would: UTF-8, the header, every row's governance.
Exit code 0 when valid, 1 when not (each issue printed with its row, column, value and rule), 2 on
a usage error. --json prints the result for machines.`;

/** Counters start afresh and nothing is kept: a dry run consumes no autonumbers. */
function dryRunDerivation(): DerivationContext {
  const counters = new Map<string, number>();
  return {
    nextNumber(counter, start) {
      const next = counters.get(counter) ?? start;
      counters.set(counter, next + 1);
      return next;
    },
    now: () => new Date(),
    randomInt: (below) => randomInt(below),
  };
}

function truncate(text: string, width: number): string {
  const oneLine = text.replace(/\r?\n/g, '\\n');
  return oneLine.length > width ? `${oneLine.slice(0, width - 1)}…` : oneLine;
}

export function formatIssueTable(issues: readonly FileIssue[]): string {
  const rows = issues.map((i) => [
    i.row === undefined ? 'file' : String(i.row),
    i.column ?? '',
    truncate(i.value ?? '', 24),
    i.rule,
    i.message,
  ]);
  const head = ['Row', 'Column', 'Value', 'Rule', 'Message'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function summary(file: string, template: string, result: FileValidationResult): string {
  const { rows, accepted, rejected } = result.counts;
  const issueCount = result.issues.length + result.issuesNotKept;
  return `${file}: ${result.ok ? 'valid' : 'INVALID'} for template "${template}": ${rows} row(s), ${accepted} accepted, ${rejected} rejected${issueCount ? `, ${issueCount} issue(s)` : ''}`;
}

export async function runValidate(args: string[]): Promise<number> {
  const parsed = commandArgs('validate', {
    args,
    strict: true,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      template: { type: 'string' },
      json: { type: 'boolean' },
      'row-limit': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(VALIDATE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError(`validate takes one FILE, got ${positionals.length} (see s3-harness validate --help)`);
  const file = positionals[0]!;
  const rowLimit = values['row-limit'] === undefined ? undefined : Number(values['row-limit']);
  if (rowLimit !== undefined && (!Number.isInteger(rowLimit) || rowLimit < 1))
    throw new UsageError(`--row-limit must be a whole number of at least 1, got "${values['row-limit']}"`);
  const { template } = await loadTemplate(values.workspace, values.template);
  try {
    await access(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const result = await validateTemplateFile(createReadStream(file), template, {
    derivation: dryRunDerivation(),
    ...(rowLimit ? { rowLimit } : {}),
  });
  if (values.json) {
    console.log(JSON.stringify({ file, template: template.name, ...result }, null, 2));
  } else {
    console.log(summary(file, template.name, result));
    if (result.issues.length) console.log(`\n${formatIssueTable(result.issues)}`);
    if (result.issuesNotKept) console.log(`... and ${result.issuesNotKept} more issue(s) not shown`);
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}
