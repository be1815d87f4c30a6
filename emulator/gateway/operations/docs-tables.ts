/**
 * docs/gateway.md's tables of operations, rendered from the table (table.ts) so that the docs cannot
 * disagree with it: `npx tsx scripts/write-gateway-docs.ts` rewrites them; a test checks them.
 */
import { actionOf, type PermissionRule } from './permissions.ts';
import { NOT_EMULATED, NOT_EMULATED_BECAUSE, OPERATIONS, type OperationEntry } from './table.ts';

const RESOURCE: Record<PermissionRule['on'], string> = {
  service: '`*`',
  bucket: 'bucket',
  object: 'object',
  'copy-source': 'the copy source',
};

function ruleText(rule: PermissionRule): string {
  const version = rule.versionAction ? ` (naming a version: ${actionOf(rule, 'v')})` : '';
  const when = rule.whenSettingTags ? ', when it sets tags' : '';
  return `${rule.action}${version} on ${RESOURCE[rule.on]}${when}`;
}

export function renderOperationTable(): string {
  const rows = Object.entries(OPERATIONS as Record<string, OperationEntry>).map(([name, entry]) => {
    const needs = entry.permissions.map(ruleText).join('; ');
    const by = entry.authorizedBy === 'handler' ? ' (authorized by its handler)' : '';
    return `| ${name} | ${needs}${by} | ${entry.note ?? ''} |`;
  });
  return ['| operation | needs | notes |', '|---|---|---|', ...rows].join('\n');
}

export function renderNotEmulatedTable(): string {
  const byReason = new Map<string, string[]>();
  for (const [name, reason] of Object.entries(NOT_EMULATED)) {
    byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
  }
  const rows = [...byReason].map(
    ([reason, names]) =>
      `| ${names.join(', ')} | ${NOT_EMULATED_BECAUSE[reason as keyof typeof NOT_EMULATED_BECAUSE]} |`,
  );
  return ['| not emulated (501 NotImplemented, naming the operation) | why |', '|---|---|', ...rows].join('\n');
}

/** The generated blocks of docs/gateway.md, each between its begin and end markers. */
export const GENERATED_BLOCKS = [
  { name: 'operations', render: renderOperationTable },
  { name: 'not-emulated', render: renderNotEmulatedTable },
] as const;

export function withGeneratedBlocks(markdown: string): string {
  let text = markdown;
  for (const block of GENERATED_BLOCKS) {
    const begin = `<!-- begin generated: ${block.name} (scripts/write-gateway-docs.ts) -->`;
    const end = `<!-- end generated: ${block.name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from === -1 || to === -1) throw new Error(`docs/gateway.md has no "${block.name}" block markers`);
    text = `${text.slice(0, from + begin.length)}\n${block.render()}\n${text.slice(to)}`;
  }
  return text;
}
