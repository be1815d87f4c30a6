/**
 * Wildcards (`*`, `?`) and policy variables (`${aws:username}`, `${key, 'default'}`, the escapes
 * `${*}`, `${?}`, `${$}`) in Action, Resource and condition values.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import type { ContextValue } from './policy-types.ts';

export type PatternToken =
  | { kind: 'text'; text: string }
  | { kind: 'any' } // *
  | { kind: 'one' }; // ?

/** Escapes that yield a literal character, never a wildcard. */
const ESCAPES: Record<string, string> = { '*': '*', '?': '?', $: '$' };

const VARIABLE = /\$\{([^}]*)\}/g;

export type ContextLookup = (key: string) => ContextValue | undefined;

/**
 * Substitutes policy variables and splits a pattern into tokens.
 * Returns `undefined` when a variable has no value and no default: AWS then treats the element as
 * not matching.
 */
export function tokenize(
  pattern: string,
  lookup: ContextLookup | undefined,
  wildcards: boolean,
): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  const pushText = (text: string, allowWildcards: boolean) => {
    if (!allowWildcards) {
      if (text) tokens.push({ kind: 'text', text });
      return;
    }
    let run = '';
    for (const ch of text) {
      if (ch === '*' || ch === '?') {
        if (run) tokens.push({ kind: 'text', text: run });
        run = '';
        tokens.push(ch === '*' ? { kind: 'any' } : { kind: 'one' });
      } else run += ch;
    }
    if (run) tokens.push({ kind: 'text', text: run });
  };
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    pushText(pattern.slice(last, match.index), wildcards);
    last = match.index + match[0].length;
    const inner = match[1] ?? '';
    const escaped = Object.hasOwn(ESCAPES, inner) ? ESCAPES[inner] : undefined; // `${constructor}` is a variable, not Object's
    if (escaped !== undefined) {
      tokens.push({ kind: 'text', text: escaped });
      continue;
    }
    if (!lookup) {
      // Variables are only substituted where AWS supports them; elsewhere the text is literal.
      pushText(match[0], wildcards);
      continue;
    }
    const value = resolveVariable(inner, lookup);
    if (value === undefined) return undefined;
    tokens.push({ kind: 'text', text: value });
  }
  pushText(pattern.slice(last), wildcards);
  return tokens;
}

/** `aws:username` or `aws:username, 'fallback'`. Multivalued keys cannot be used as variables. */
function resolveVariable(inner: string, lookup: ContextLookup): string | undefined {
  const withDefault = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/.exec(inner);
  const key = (withDefault ? withDefault[1]! : inner).trim();
  const value = lookup(key);
  if (typeof value === 'string') return value;
  return withDefault ? withDefault[2] : undefined;
}

const compiled = new Map<string, RegExp>();
const MAX_COMPILED = 5000;

/** Matches `text` against tokens; `*` may cross any character, including `/`. */
export function matchTokens(tokens: readonly PatternToken[], text: string, ignoreCase: boolean): boolean {
  if (tokens.length === 1 && tokens[0]!.kind === 'text') {
    const literal = tokens[0]!.text;
    return ignoreCase ? literal.toLowerCase() === text.toLowerCase() : literal === text;
  }
  const source = tokens
    .map((t) => (t.kind === 'any' ? '[\\s\\S]*' : t.kind === 'one' ? '[\\s\\S]' : escapeRegExp(t.text)))
    .join('');
  const cacheKey = `${ignoreCase ? 'i' : 's'}${source}`;
  let regExp = compiled.get(cacheKey);
  if (!regExp) {
    regExp = new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u');
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(cacheKey, regExp);
  }
  return regExp.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Glob match with optional variables; false when a variable is missing. */
export function globMatch(
  pattern: string,
  text: string,
  options: { ignoreCase: boolean; lookup?: ContextLookup; wildcards?: boolean },
): boolean {
  const tokens = tokenize(pattern, options.lookup, options.wildcards ?? true);
  return tokens !== undefined && matchTokens(tokens, text, options.ignoreCase);
}

/** Substitutes variables without wildcards (for StringEquals and friends). */
export function substitute(pattern: string, lookup: ContextLookup): string | undefined {
  const tokens = tokenize(pattern, lookup, false);
  return tokens?.map((t) => (t.kind === 'text' ? t.text : '')).join('');
}
