/** `s3-harness template-file`: the CSV UTF-8 header users fill in. */
import { writeFile } from 'node:fs/promises';
import Papa from 'papaparse';
import { templateFileColumns } from '../../core/templates/index.ts';
import { loadTemplate } from './workspace-options.ts';
import { commandArgs } from './command-args.ts';
import { UsageError } from './usage-error.ts';

export const TEMPLATE_FILE_USAGE = `Usage: s3-harness template-file --template NAME [--workspace FILE] [-o FILE]

Writes the template file: one CSV UTF-8 header row with the template's user-input fields, in schema
order (derived fields such as constants are left out). Without -o it goes to standard output.`;

export async function runTemplateFile(args: string[]): Promise<number> {
  const { values } = commandArgs('template-file', {
    args,
    strict: true,
    options: {
      workspace: { type: 'string' },
      template: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(TEMPLATE_FILE_USAGE);
    return 0;
  }
  const { template } = await loadTemplate(values.workspace, values.template);
  // RFC 4180: CRLF line breaks; names holding commas or quotes are quoted.
  const header = `${Papa.unparse([templateFileColumns(template)], { newline: '\r\n' })}\r\n`;
  if (values.output) {
    try {
      await writeFile(values.output, header, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot write ${values.output} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    console.error(`Wrote the template file of "${template.name}" to ${values.output}`);
  } else {
    process.stdout.write(header);
  }
  return 0;
}
