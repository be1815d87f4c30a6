/**
 * The decision: explicit Deny wins, then any Allow, else implicit deny; with an explanation.
 * Same-account only: an Allow in the user's identity policies or in the bucket's policy (naming the
 * user or `*`) suffices.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { evaluateOperator, parseOperator } from './conditions.ts';
import { unmodelledReason } from './context-keys.ts';
import { actionMatches, asList, principalMatches, resourceMatches } from './matching.ts';
import type { ContextLookup } from './pattern.ts';
import type {
  AttachedPolicy,
  AuthorizationRequest,
  Decision,
  DecisionEffect,
  Effect,
  NearMiss,
  PolicySource,
  PolicyStatement,
  StatementRef,
  UnmodelledKeyUse,
} from './policy-types.ts';

/** A condition that held, kept raw: it is put into words only when it explains a Deny. */
interface HeldCondition {
  operator: string;
  key: string;
  values: unknown;
  requestValue: unknown;
}

/** A key whose value here may not be production's, and why. */
interface KeyDoubt {
  key: string;
  reason: string;
}

/**
 * When a statement applies, the conditions that held, with the request's values (they say why a Deny
 * fired). `unmodelled`: the keys whose production value could change the outcome.
 */
type StatementOutcome =
  | { applies: true; conditionsHeld: HeldCondition[]; unmodelled: KeyDoubt[] }
  | { applies: false; nearMiss?: string; unmodelled: KeyDoubt[] };

const NO_KEYS: ReadonlySet<string> = new Set();

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
  if (!actionListed) return { applies: false, unmodelled: [] };

  if (source.kind === 'bucket') {
    const principalOk =
      statement.Principal !== undefined
        ? principalMatches(statement.Principal, request.principal)
        : principalMatches(statement.NotPrincipal ?? '*', request.principal) === 'none'
          ? 'direct'
          : 'none';
    if (principalOk === 'none')
      return { applies: false, nearMiss: 'its Principal does not name this caller', unmodelled: [] };
    if (principalOk === 'account' && statement.Effect === 'Allow') {
      return {
        applies: false,
        nearMiss: "its Principal names the whole account, which delegates the decision to the user's identity policies",
        unmodelled: [],
      };
    }
  }

  const resourceOk =
    statement.Resource !== undefined
      ? asList(statement.Resource).some((p) => resourceMatches(p, request.resource, lookup))
      : !asList(statement.NotResource).some((p) => resourceMatches(p, request.resource, lookup));
  if (!resourceOk) return { applies: false, nearMiss: resourceNearMiss(statement, request), unmodelled: [] };

  return conditionsOutcome(statement, request, lookup);
}

/**
 * Every condition of a statement, evaluated (not only up to the first that fails): a statement that
 * failed only on keys this workspace does not model might apply in production.
 */
function conditionsOutcome(
  statement: PolicyStatement,
  request: AuthorizationRequest,
  lookup: ContextLookup,
): StatementOutcome {
  const declared = request.declaredKeys ?? NO_KEYS;
  const conditionsHeld: HeldCondition[] = [];
  const failed: { text: string; unmodelled?: KeyDoubt }[] = [];
  const heldUnmodelled: KeyDoubt[] = [];
  for (const [operatorText, keys] of Object.entries(statement.Condition ?? {})) {
    const operator = parseOperator(operatorText);
    if (!operator)
      return { applies: false, nearMiss: `its condition operator ${operatorText} is unknown`, unmodelled: [] };
    for (const [key, values] of Object.entries(keys)) {
      const requestValue = lookup(key);
      const reason = unmodelledReason(key, requestValue !== undefined, declared);
      const doubt = reason === undefined ? undefined : { key, reason };
      if (!evaluateOperator(operator, requestValue, asList(values), lookup)) {
        failed.push({
          text: `its condition ${operatorText} ${key} ${JSON.stringify(values)} does not hold (request value: ${shownValue(requestValue)})`,
          ...(doubt ? { unmodelled: doubt } : {}),
        });
        continue;
      }
      conditionsHeld.push({ operator: operatorText, key, values, requestValue });
      if (doubt) heldUnmodelled.push(doubt);
    }
  }
  if (failed.length === 0) return { applies: true, conditionsHeld, unmodelled: heldUnmodelled };
  const onlyUnmodelled = failed.every((f) => f.unmodelled !== undefined);
  return {
    applies: false,
    nearMiss: failed[0]!.text,
    unmodelled: onlyUnmodelled ? failed.map((f) => f.unmodelled!) : [],
  };
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
  switch (source.kind) {
    case 'identity':
      return `identity policy ${source.index} of user ${source.userName}`;
    case 'boundary':
      return `the permissions boundary of user ${source.userName}`;
    case 'bucket':
      return `the bucket policy of ${source.bucket}`;
  }
}

export function describeStatement(ref: StatementRef): string {
  const sid = ref.sid ? ` (Sid "${ref.sid}")` : '';
  return `statement ${ref.statementIndex}${sid} of ${describeSource(ref.source)}`;
}

/** `a`, `a or b`, `a, b or c` */
function listOr(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

type Matched = StatementRef & { effect: Effect; conditionsHeld: HeldCondition[]; unmodelled: KeyDoubt[] };
type Missed = NearMiss & { unmodelled: KeyDoubt[] };

const strip = ({ effect: _e, conditionsHeld: _h, unmodelled: _u, ...ref }: Matched): StatementRef => ref;

/**
 * The keys whose production values could change this outcome: the deciding Deny's; for an Allow, the
 * allowing statement's and every Deny that failed only on such keys; for an implicit deny, every Allow
 * that failed only on such keys.
 */
function unmodelledUses(deciding: Matched | undefined, effect: DecisionEffect, misses: Missed[]): UnmodelledKeyUse[] {
  const uses: UnmodelledKeyUse[] = [];
  const add = (statement: StatementRef, statementEffect: Effect, doubts: KeyDoubt[]) => {
    for (const { key, reason } of doubts) uses.push({ key, reason, statement, effect: statementEffect });
  };
  if (deciding) add(strip(deciding), deciding.effect, deciding.unmodelled);
  const missedEffect: Effect = effect === 'ImplicitDeny' ? 'Allow' : 'Deny';
  if (effect !== 'ExplicitDeny') {
    for (const miss of misses) if (miss.effect === missedEffect) add(miss.statement, miss.effect, miss.unmodelled);
  }
  return uses;
}

function describeUnmodelled(use: UnmodelledKeyUse, effect: DecisionEffect): string {
  const statement = describeStatement(use.statement);
  const what =
    effect === 'ExplicitDeny' || (effect === 'Allow' && use.effect === 'Allow')
      ? `This ${use.effect} (${statement}) depends on`
      : `In production, ${statement} (${use.effect}) might apply: it failed on`;
  return `${what} ${use.key}, ${use.reason}. Declare it in the user's requestContext to decide as production would.`;
}

export function evaluate(request: AuthorizationRequest, policies: readonly AttachedPolicy[]): Decision {
  const lookup = createContextLookup(request.context);
  const matched: Matched[] = [];
  const misses: Missed[] = [];
  for (const { source, document } of policies) {
    asList(document.Statement).forEach((statement, statementIndex) => {
      const ref: StatementRef = { source, statementIndex, ...(statement.Sid ? { sid: statement.Sid } : {}) };
      const outcome = statementOutcome(statement, source, request, lookup);
      if (outcome.applies) {
        matched.push({
          ...ref,
          effect: statement.Effect,
          conditionsHeld: outcome.conditionsHeld,
          unmodelled: outcome.unmodelled,
        });
      } else if (outcome.nearMiss) {
        misses.push({
          statement: ref,
          effect: statement.Effect,
          reason: outcome.nearMiss,
          unmodelled: outcome.unmodelled,
        });
      }
    });
  }
  const nearMisses: NearMiss[] = misses.map(({ unmodelled: _u, ...miss }) => miss);
  const matchedStatements = matched.map(strip);
  const deny = matched.find((m) => m.effect === 'Deny');
  const allow = matched.find((m) => m.effect === 'Allow');
  const effect: DecisionEffect = deny ? 'ExplicitDeny' : allow ? 'Allow' : 'ImplicitDeny';
  const deciding = deny ?? allow;
  const unmodelledKeys = unmodelledUses(deciding, effect, misses);
  const doubts = unmodelledKeys.map((use) => describeUnmodelled(use, effect));
  const subject = `${request.action} on ${request.resource}`;
  const withDoubts = (sentences: string[]) => [...sentences, ...doubts].join(' ');
  if (deny) {
    return {
      effect,
      allowed: false,
      decidingStatement: strip(deny),
      matchedStatements,
      nearMisses,
      unmodelledKeys,
      explanation: withDoubts([
        `Explicitly denied: ${describeStatement(deny)} denies ${subject}${deny.conditionsHeld.length ? `: its condition ${deny.conditionsHeld.map(describeHeld).join(' and ')}` : ''}.`,
      ]),
    };
  }
  if (allow) {
    return {
      effect,
      allowed: true,
      decidingStatement: strip(allow),
      matchedStatements,
      nearMisses,
      unmodelledKeys,
      explanation: withDoubts([`Allowed by ${describeStatement(allow)}.`]),
    };
  }
  const looked =
    policies.length === 0
      ? 'The caller has no policies'
      : `No statement of ${listOr(policies.map((p) => describeSource(p.source)))} allows ${subject}`;
  const allowMisses = nearMisses
    .filter((m) => m.effect === 'Allow')
    .map((m) => `${describeStatement(m.statement)} names the action, but ${m.reason}`);
  return {
    effect,
    allowed: false,
    matchedStatements,
    nearMisses,
    unmodelledKeys,
    explanation: withDoubts([
      `Implicitly denied. ${looked}.`,
      ...allowMisses.map((m) => `${m[0]!.toUpperCase()}${m.slice(1)}.`),
    ]),
  };
}
