/**
 * Which keys an inbound prefix takes: S3 prefix semantics (case-sensitive `startsWith`), where a
 * dynamic value matches one segment of the key (docs/inbound.md, "Prefixes and dynamic values"):
 * {{template_name}} the template's name literally, {{submitted_by}} any token without `/` (captured
 * as the submitter), {{submitted_at}} a timestamp in the submitted-at format YYYY-MM-DD_HH-MM-SS.
 */
export const DYNAMIC_VALUES = ['template_name', 'submitted_by', 'submitted_at'] as const;
const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

export interface PrefixMatch {
  submittedBy?: string;
  submittedAt?: string;
}

export interface CompiledPrefix {
  /** The literal start of the prefix, before any dynamic value except the template name. */
  staticPrefix: string;
  match(key: string): PrefixMatch | undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function unknownPlaceholders(prefix: string): string[] {
  return [...prefix.matchAll(PLACEHOLDER)]
    .map((m) => m[1]!)
    .filter((name) => !(DYNAMIC_VALUES as readonly string[]).includes(name));
}

/**
 * Looser readings of a prefix, to explain why a key is not taken (near-miss.ts): any case, any name in
 * the place of the template's, anything in the place of a {{submitted_at}} time.
 */
export interface PrefixVariant {
  ignoreCase?: boolean;
  anyTemplateName?: boolean;
  anySubmittedAt?: boolean;
}

export function compilePrefix(prefix: string, templateName: string, variant: PrefixVariant = {}): CompiledPrefix {
  let source = '';
  let staticPrefix = '';
  let dynamic = false;
  let last = 0;
  // A value named twice is the same value twice: the second is a back-reference (two groups of one name are a syntax error).
  const captured = new Set<string>();
  const capture = (group: string, pattern: string) => {
    if (captured.has(group)) return `\\k<${group}>`;
    captured.add(group);
    return `(?<${group}>${pattern})`;
  };
  for (const m of prefix.matchAll(PLACEHOLDER)) {
    const literal = prefix.slice(last, m.index);
    source += escapeRegExp(literal);
    if (!dynamic) staticPrefix += literal;
    last = m.index + m[0].length;
    switch (m[1]) {
      case 'template_name':
        source += variant.anyTemplateName ? '[^/]+?' : escapeRegExp(templateName);
        if (!dynamic) staticPrefix += templateName;
        break;
      case 'submitted_by':
        // At the very end it takes the whole segment; elsewhere the shortest token that lets the
        // rest of the prefix match.
        source += capture('submittedBy', last === prefix.length ? '[^/]+' : '[^/]+?');
        dynamic = true;
        break;
      case 'submitted_at':
        source += capture(
          'submittedAt',
          variant.anySubmittedAt ? '[^/]+?' : '\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}',
        );
        dynamic = true;
        break;
    }
  }
  const rest = prefix.slice(last);
  source += escapeRegExp(rest);
  if (!dynamic) staticPrefix += rest;
  const regExp = new RegExp(`^${source}`, variant.ignoreCase ? 'iu' : 'u');
  return {
    staticPrefix,
    match(key) {
      const m = regExp.exec(key);
      if (!m) return undefined;
      const out: PrefixMatch = {};
      if (m.groups?.submittedBy !== undefined) out.submittedBy = m.groups.submittedBy;
      if (m.groups?.submittedAt !== undefined) out.submittedAt = m.groups.submittedAt;
      return out;
    },
  };
}

/** Two prefixes on one bucket overlap when one's static start is a start of the other's. */
export function prefixesOverlap(a: CompiledPrefix, b: CompiledPrefix): boolean {
  return a.staticPrefix.startsWith(b.staticPrefix) || b.staticPrefix.startsWith(a.staticPrefix);
}
