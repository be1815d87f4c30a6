/**
 * The decision: explicit Deny wins, then any Allow, else implicit deny; with an explanation.
 * Same-account only: an Allow in the user's identity policies or in the bucket's policy (naming the
 * user or `*`) suffices.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { evaluateOperator, parseOperator } from './conditions.ts';
import { actionMatches, asList, principalMatches, resourceMatches } from './matching.ts';
import type { ContextLookup } from './pattern.ts';
import type {
  AttachedPolicy,
  AuthorizationRequest,
  Decision,
  NearMiss,
  PolicySource,
  PolicyStatement,
  StatementRef,
} from './policy-types.ts';

/** A condition that held, kept raw: it is put into words only when it explains a Deny. */
interface HeldCondition {
  operator: string;
  key: string;
  values: unknown;
  requestValue: unknown;
}

/** When a statement applies, the conditions that held, with the request's values (they say why a Deny fired). */
type StatementOutcome = { applies: true; conditionsHeld: HeldCondition[] } | { applies: false; nearMiss?: string };

const shownValue = (value: unknown) => (value === undefined ? 'absent' : JSON.stringify(value));
const describeHeld = (held: HeldCondition) =>
  `${held.operator} ${held.key} ${JSON.stringify(held.values)} holds (request value: ${shownValue(held.requestValue)})`;

export function createContextLookup(context: AuthorizationRequest['context']): ContextLookup {
  const lowered = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return (key) => lowered.get(key.toLowerCase());
}

function statementOutcome(
  statement: PolicyStatement,
  source: PolicySource,
  request: AuthorizationRequest,
  lookup: ContextLookup,
): StatementOutcome {
  const actionListed =
    statement.Action !== undefined
      ? asList(statement.Action).some((p) => actionMatches(p, request.action))
      : !asList(statement.NotAction).some((p) => actionMatches(p, request.action));
  if (!actionListed) return { applies: false };

  if (source.kind === 'bucket') {
    const principalOk =
      statement.Principal !== undefined
        ? principalMatches(statement.Principal, request.principal)
        : principalMatches(statement.NotPrincipal ?? '*', request.principal) === 'none'
          ? 'direct'
          : 'none';
    if (principalOk === 'none') return { applies: false, nearMiss: 'its Principal does not name this caller' };
    if (principalOk === 'account' && statement.Effect === 'Allow') {
      return {
        applies: false,
        nearMiss: "its Principal names the whole account, which delegates the decision to the user's identity policies",
      };
    }
  }

  const resourceOk =
    statement.Resource !== undefined
      ? asList(statement.Resource).some((p) => resourceMatches(p, request.resource, lookup))
      : !asList(statement.NotResource).some((p) => resourceMatches(p, request.resource, lookup));
  if (!resourceOk) return { applies: false, nearMiss: resourceNearMiss(statement, request) };

  const conditionsHeld: HeldCondition[] = [];
  for (const [operatorText, keys] of Object.entries(statement.Condition ?? {})) {
    const operator = parseOperator(operatorText);
    if (!operator) return { applies: false, nearMiss: `its condition operator ${operatorText} is unknown` };
    for (const [key, values] of Object.entries(keys)) {
      const requestValue = lookup(key);
      if (!evaluateOperator(operator, requestValue, asList(values), lookup)) {
        return {
          applies: false,
          nearMiss: `its condition ${operatorText} ${key} ${JSON.stringify(values)} does not hold (request value: ${shownValue(requestValue)})`,
        };
      }
      conditionsHeld.push({ operator: operatorText, key, values, requestValue });
    }
  }
  return { applies: true, conditionsHeld };
}

function resourceNearMiss(statement: PolicyStatement, request: AuthorizationRequest): string {
  const patterns = asList(statement.Resource ?? statement.NotResource);
  const element = statement.Resource !== undefined ? 'Resource' : 'NotResource';
  let reason = `its ${element} ${patterns.map((p) => JSON.stringify(p)).join(', ')} does not cover ${JSON.stringify(request.resource)}`;
  // The most common customer mistake: s3:ListBucket granted on objects (bucket/*) instead of the bucket.
  const isBucketArn = /^arn:aws:s3:::[^/]+$/.test(request.resource);
  if (isBucketArn && statement.Resource !== undefined && patterns.some((p) => p.startsWith(`${request.resource}/`))) {
    reason += `; ${request.action} applies to the bucket ARN ${request.resource} itself, and ${request.resource}/* names only its objects`;
  }
  return reason;
}

export function describeSource(source: PolicySource): string {
  return source.kind === 'identity'
    ? `identity policy ${source.index} of user ${source.userName}`
    : `the bucket policy of ${source.bucket}`;
}

export function describeStatement(ref: StatementRef): string {
  const sid = ref.sid ? ` (Sid "${ref.sid}")` : '';
  return `statement ${ref.statementIndex}${sid} of ${describeSource(ref.source)}`;
}

/** `a`, `a or b`, `a, b or c` */
function listOr(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function evaluate(request: AuthorizationRequest, policies: readonly AttachedPolicy[]): Decision {
  const lookup = createContextLookup(request.context);
  const matched: (StatementRef & { effect: 'Allow' | 'Deny'; conditionsHeld: HeldCondition[] })[] = [];
  const nearMisses: NearMiss[] = [];
  for (const { source, document } of policies) {
    asList(document.Statement).forEach((statement, statementIndex) => {
      const ref: StatementRef = { source, statementIndex, ...(statement.Sid ? { sid: statement.Sid } : {}) };
      const outcome = statementOutcome(statement, source, request, lookup);
      if (outcome.applies) matched.push({ ...ref, effect: statement.Effect, conditionsHeld: outcome.conditionsHeld });
      else if (outcome.nearMiss)
        nearMisses.push({ statement: ref, effect: statement.Effect, reason: outcome.nearMiss });
    });
  }
  const strip = ({
    effect: _effect,
    conditionsHeld: _held,
    ...ref
  }: StatementRef & { effect: string; conditionsHeld: HeldCondition[] }): StatementRef => ref;
  const matchedStatements = matched.map(strip);
  const deny = matched.find((m) => m.effect === 'Deny');
  const allow = matched.find((m) => m.effect === 'Allow');
  const subject = `${request.action} on ${request.resource}`;
  if (deny) {
    return {
      effect: 'ExplicitDeny',
      allowed: false,
      decidingStatement: strip(deny),
      matchedStatements,
      nearMisses,
      explanation: `Explicitly denied: ${describeStatement(deny)} denies ${subject}${deny.conditionsHeld.length ? `: its condition ${deny.conditionsHeld.map(describeHeld).join(' and ')}` : ''}.`,
    };
  }
  if (allow) {
    return {
      effect: 'Allow',
      allowed: true,
      decidingStatement: strip(allow),
      matchedStatements,
      nearMisses,
      explanation: `Allowed by ${describeStatement(allow)}.`,
    };
  }
  const looked =
    policies.length === 0
      ? 'The caller has no policies'
      : `No statement of ${listOr(policies.map((p) => describeSource(p.source)))} allows ${subject}`;
  const misses = nearMisses
    .filter((m) => m.effect === 'Allow')
    .map((m) => `${describeStatement(m.statement)} names the action, but ${m.reason}`);
  return {
    effect: 'ImplicitDeny',
    allowed: false,
    matchedStatements,
    nearMisses,
    explanation: [`Implicitly denied. ${looked}.`, ...misses.map((m) => `${m[0]!.toUpperCase()}${m.slice(1)}.`)].join(
      ' ',
    ),
  };
}
