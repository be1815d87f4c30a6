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

/**
 * Matches `text` against tokens; `*` may cross any character, including `/`; `?` is one character
 * (one code point). Linear in the text for a given pattern: the text between two `*` is found by a
 * leftmost search, never by backtracking (a RegExp of `*`s backtracks, and one request with a long key
 * could hold the process for seconds).
 */
export function matchTokens(tokens: readonly PatternToken[], text: string, ignoreCase: boolean): boolean {
  if (tokens.length === 1 && tokens[0]!.kind === 'text') {
    const literal = tokens[0]!.text;
    return ignoreCase ? literal.toLowerCase() === text.toLowerCase() : literal === text;
  }
  const fold = ignoreCase ? foldCase : (c: string) => c;
  const subject = Array.from(text, fold);
  const segments = segmentsOf(tokens, fold);
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  if (segments.length === 1) return first.length === subject.length && segmentAt(first, subject, 0);
  // `*` between segments: the first is anchored at the start, the last at the end, each other one is
  // found leftmost after its predecessor (leftmost is never worse for what follows).
  if (first.length + last.length > subject.length) return false;
  if (!segmentAt(first, subject, 0) || !segmentAt(last, subject, subject.length - last.length)) return false;
  let at = first.length;
  const end = subject.length - last.length;
  for (const segment of segments.slice(1, -1)) {
    const found = findSegment(segment, subject, at, end);
    if (found < 0) return false;
    at = found + segment.length;
  }
  return true;
}

/** A run between two `*`: code points, `undefined` standing for `?`. */
type Segment = (string | undefined)[];

function segmentsOf(tokens: readonly PatternToken[], fold: (c: string) => string): Segment[] {
  const segments: Segment[] = [[]];
  for (const token of tokens) {
    if (token.kind === 'any') segments.push([]);
    else if (token.kind === 'one') segments[segments.length - 1]!.push(undefined);
    else segments[segments.length - 1]!.push(...Array.from(token.text, fold));
  }
  return segments;
}

function segmentAt(segment: Segment, subject: readonly string[], at: number): boolean {
  for (let i = 0; i < segment.length; i++) {
    const want = segment[i];
    if (want !== undefined && subject[at + i] !== want) return false;
  }
  return true;
}

/** The leftmost position in [from, end - length] where the segment matches, or -1. */
function findSegment(segment: Segment, subject: readonly string[], from: number, end: number): number {
  for (let at = from; at + segment.length <= end; at++) if (segmentAt(segment, subject, at)) return at;
  return -1;
}

/** One code point's case-insensitive form (kept when lower-casing would make it longer, as `İ`). */
function foldCase(c: string): string {
  const lower = c.toLowerCase();
  return lower.length === c.length ? lower : c;
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
