/**
 * Condition operators: one function per operator family, the IfExists suffix and the
 * ForAnyValue / ForAllValues set qualifiers.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import { isIP } from 'node:net';
import { globMatch, substitute, type ContextLookup } from './pattern.ts';
import { resourceMatches } from './matching.ts';
import type { ConditionValue, ContextValue } from './policy-types.ts';

/** Compares one request value with one policy value. */
type ValueMatcher = (requestValue: string, policyValue: string, lookup: ContextLookup) => boolean;

interface OperatorDefinition {
  match: ValueMatcher;
  /** Negated operators (StringNotEquals, ...) are true when no policy value matches. */
  negated: boolean;
  /** Whether policy variables are substituted in the policy values. */
  variables: boolean;
}

const equalsWithVariables: ValueMatcher = (r, p, lookup) => substitute(p, lookup) === r;
const equalsIgnoreCase: ValueMatcher = (r, p, lookup) => substitute(p, lookup)?.toLowerCase() === r.toLowerCase();
const like: ValueMatcher = (r, p, lookup) => globMatch(p, r, { ignoreCase: false, lookup });

function numeric(compare: (a: number, b: number) => boolean): ValueMatcher {
  return (r, p) => {
    const a = Number(r);
    const b = Number(p);
    return r.trim() !== '' && p.trim() !== '' && Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
  };
}

/** Dates are ISO 8601 or epoch seconds. */
function parseDate(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function date(compare: (a: number, b: number) => boolean): ValueMatcher {
  return (r, p) => {
    const a = parseDate(r);
    const b = parseDate(p);
    return Number.isFinite(a) && Number.isFinite(b) && compare(a, b);
  };
}

const bool: ValueMatcher = (r, p, lookup) => substitute(p, lookup)?.toLowerCase() === r.toLowerCase();
const binaryEquals: ValueMatcher = (r, p) => r === p;
const ipAddress: ValueMatcher = (r, p) => ipInCidr(r, p);
const arnLike: ValueMatcher = (r, p, lookup) => resourceMatches(p, r, lookup);

const OPERATORS: Record<string, Omit<OperatorDefinition, 'negated'> & { negatedName?: string }> = {
  StringEquals: { match: equalsWithVariables, variables: true, negatedName: 'StringNotEquals' },
  StringEqualsIgnoreCase: { match: equalsIgnoreCase, variables: true, negatedName: 'StringNotEqualsIgnoreCase' },
  StringLike: { match: like, variables: true, negatedName: 'StringNotLike' },
  NumericEquals: { match: numeric((a, b) => a === b), variables: false, negatedName: 'NumericNotEquals' },
  NumericLessThan: { match: numeric((a, b) => a < b), variables: false },
  NumericLessThanEquals: { match: numeric((a, b) => a <= b), variables: false },
  NumericGreaterThan: { match: numeric((a, b) => a > b), variables: false },
  NumericGreaterThanEquals: { match: numeric((a, b) => a >= b), variables: false },
  DateEquals: { match: date((a, b) => a === b), variables: false, negatedName: 'DateNotEquals' },
  DateLessThan: { match: date((a, b) => a < b), variables: false },
  DateLessThanEquals: { match: date((a, b) => a <= b), variables: false },
  DateGreaterThan: { match: date((a, b) => a > b), variables: false },
  DateGreaterThanEquals: { match: date((a, b) => a >= b), variables: false },
  Bool: { match: bool, variables: true },
  BinaryEquals: { match: binaryEquals, variables: false },
  IpAddress: { match: ipAddress, variables: false, negatedName: 'NotIpAddress' },
  ArnEquals: { match: arnLike, variables: true, negatedName: 'ArnNotEquals' },
  ArnLike: { match: arnLike, variables: true, negatedName: 'ArnNotLike' },
};

const DEFINITIONS: Map<string, OperatorDefinition> = new Map();
for (const [name, { negatedName, ...definition }] of Object.entries(OPERATORS)) {
  DEFINITIONS.set(name, { ...definition, negated: false });
  if (negatedName) DEFINITIONS.set(negatedName, { ...definition, negated: true });
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues';

export interface ParsedOperator {
  name: string;
  qualifier?: SetQualifier;
  ifExists: boolean;
  /** `Null` is its own kind: it tests presence, not value. */
  isNull: boolean;
  definition?: OperatorDefinition;
}

/** Parses `ForAnyValue:StringLikeIfExists`; undefined when the operator is unknown. */
export function parseOperator(text: string): ParsedOperator | undefined {
  let rest = text;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const prefix = rest.slice(0, colon);
    if (prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') return undefined;
    qualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  if (rest === 'Null') return qualifier ? undefined : { name: rest, ifExists: false, isNull: true };
  const ifExists = rest.endsWith('IfExists');
  const name = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  const definition = DEFINITIONS.get(name);
  if (!definition) return undefined;
  return { name, qualifier, ifExists, isNull: false, definition };
}

export function knownOperatorNames(): string[] {
  return [...DEFINITIONS.keys(), 'Null'];
}

/** Evaluates one operator on one key. `requestValue` undefined means the key is absent. */
export function evaluateOperator(
  operator: ParsedOperator,
  requestValue: ContextValue | undefined,
  policyValues: readonly ConditionValue[],
  lookup: ContextLookup,
): boolean {
  const policyStrings = policyValues.map(String);
  const requestValues =
    requestValue === undefined ? undefined : typeof requestValue === 'string' ? [requestValue] : requestValue;
  if (operator.isNull) {
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyStrings.some((p) => (p.toLowerCase() === 'true') === absent);
  }
  const definition = operator.definition!;
  const elementHolds = (value: string): boolean => {
    const anyMatch = policyStrings.some((p) => definition.match(value, p, lookup));
    return definition.negated ? !anyMatch : anyMatch;
  };
  const absent = requestValues === undefined || requestValues.length === 0;
  switch (operator.qualifier) {
    case 'ForAnyValue':
      return absent ? operator.ifExists : requestValues.some(elementHolds);
    case 'ForAllValues':
      return absent ? true : requestValues.every(elementHolds);
    default:
      if (absent) return operator.ifExists || definition.negated;
      return definition.negated ? requestValues.every(elementHolds) : requestValues.some(elementHolds);
  }
}

/** IPv4 and IPv6 CIDR membership (`203.0.113.0/24`, `2001:db8::/32`); a bare address is a /32 or /128. */
export function ipInCidr(address: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (!base) return false;
  const a = ipToBigInt(address);
  const b = ipToBigInt(base);
  if (!a || !b || a.width !== b.width) return false;
  const bits = bitsText === undefined ? b.width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > b.width) return false;
  const shift = BigInt(b.width - bits);
  return a.value >> shift === b.value >> shift;
}

function ipToBigInt(text: string): { value: bigint; width: number } | undefined {
  const address = text.startsWith('::ffff:') && isIP(text.slice(7)) === 4 ? text.slice(7) : text;
  const version = isIP(address);
  if (version === 4) {
    return { value: address.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n), width: 32 };
  }
  if (version === 6) {
    const [head = '', tail = ''] = address.split('::');
    const headParts = head ? head.split(':') : [];
    const tailParts = address.includes('::') ? (tail ? tail.split(':') : []) : [];
    const missing = 8 - headParts.length - tailParts.length;
    const groups = [...headParts, ...Array(address.includes('::') ? missing : 0).fill('0'), ...tailParts];
    return { value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n), width: 128 };
  }
  return undefined;
}
