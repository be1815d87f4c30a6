/**
 * The IAM policy language, as far as S3 needs it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */

export type Effect = 'Allow' | 'Deny';

/** A value of a policy element that may be one string or a list of them. */
export type OneOrMany<T> = T | T[];

export type ConditionValue = string | number | boolean;

/** `{ "StringEquals": { "s3:prefix": ["home/", "home/${aws:username}/"] } }` */
export type ConditionBlock = Record<string, Record<string, OneOrMany<ConditionValue>>>;

export type PrincipalElement = '*' | Record<string, OneOrMany<string>>;

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: OneOrMany<string>;
  NotAction?: OneOrMany<string>;
  Resource?: OneOrMany<string>;
  NotResource?: OneOrMany<string>;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: OneOrMany<PolicyStatement>;
}

/** Where a policy comes from: an identity policy of a user, or a bucket's resource policy. */
export type PolicySource =
  | { kind: 'identity'; userName: string; index: number }
  | { kind: 'bucket'; bucket: string }
  | { kind: 'boundary'; userName: string };

export interface AttachedPolicy {
  source: PolicySource;
  document: PolicyDocument;
}

/** Who makes the request. Anonymous requests are matched only by `Principal: "*"`. */
export type RequestPrincipal =
  { kind: 'user'; accountId: string; userName: string; userId: string; arn: string } | { kind: 'anonymous' };

/** Context values: a string, a list (multivalued keys), or absent. */
export type ContextValue = string | readonly string[];

export interface AuthorizationRequest {
  principal: RequestPrincipal;
  /** `s3:GetObject` */
  action: string;
  /** `arn:aws:s3:::bucket/key` */
  resource: string;
  /** Condition keys, case-insensitive names (`aws:username`, `s3:prefix`, ...). */
  context: Readonly<Record<string, ContextValue | undefined>>;
  /** Keys the workspace declared for this caller (`requestContext`), lowercased: production's values. */
  declaredKeys?: ReadonlySet<string>;
}

export interface StatementRef {
  source: PolicySource;
  statementIndex: number;
  sid?: string;
}

/** A statement that named the action but did not apply, and why: the raw material of explanations. */
export interface NearMiss {
  statement: StatementRef;
  effect: Effect;
  reason: string;
}

/** A condition key the decision depended on whose value here may not be production's, and why. */
export interface UnmodelledKeyUse {
  key: string;
  /** `which this workspace does not set; AWS sets it when ...` */
  reason: string;
  statement: StatementRef;
  effect: Effect;
}

export type DecisionEffect = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface Decision {
  effect: DecisionEffect;
  allowed: boolean;
  /** The statement that decided (the first matching Deny, else the first matching Allow). */
  decidingStatement?: StatementRef;
  /** Every statement that applied to the request. */
  matchedStatements: StatementRef[];
  nearMisses: NearMiss[];
  /** An identity policy allowed it, and the user's permissions boundary did not. */
  deniedByBoundary?: boolean;
  /** Keys the outcome depended on that this workspace does not model (empty when production would decide alike). */
  unmodelledKeys: UnmodelledKeyUse[];
  /** One or more sentences a person can read. */
  explanation: string;
}
