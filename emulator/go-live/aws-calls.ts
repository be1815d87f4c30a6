/**
 * What every call to the customer's real AWS shares: the client settings (a region, a profile of the
 * provider chain, or credentials handed in by a test) and every way a call can fail, as data in one
 * line: AWS unreachable, no usable credentials, throttled, refused, missing, or another error. A go-live
 * check never reports success for a call that failed, and never prints a stack for one.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AwsAccess {
  /** A profile of the shared AWS config; default: the standard provider chain (environment, SSO, ...). */
  profile?: string;
  /** Credentials to use instead of the provider chain (tests). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The SDK client settings for `access` in `region`. */
export function clientConfig(region: string, access: AwsAccess): { region: string } & AwsAccess {
  return {
    region,
    ...(access.profile ? { profile: access.profile } : {}),
    ...(access.credentials ? { credentials: access.credentials } : {}),
  };
}

/**
 * Why a call failed: `network` (AWS could not be reached), `credentials` (none found, or AWS did not
 * accept them), `throttled` (still, after the SDK's retries), `refused` (AccessDenied: the policy),
 * `missing` (no such bucket, user, policy), `error` (any other answer).
 */
export type FailureKind = 'network' | 'credentials' | 'throttled' | 'refused' | 'missing' | 'error';

export interface AwsError {
  kind: FailureKind;
  /** AWS's error code (`AccessDenied`), or the system's (`ENOTFOUND`). */
  name: string;
  message: string;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: AwsError };

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
/** AWS's answers that mean the keys themselves are wrong, not the policy. */
const CREDENTIAL_REFUSALS = new Set([
  'InvalidClientTokenId',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidToken',
  'IncompleteSignature',
]);
const THROTTLES = new Set([
  'Throttling',
  'ThrottlingException',
  'SlowDown',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
const CREDENTIAL_PROVIDERS = new Set(['CredentialsProviderError', 'ProviderError', 'TokenProviderError']);

interface RawError {
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string; message?: string };
  $metadata?: { httpStatusCode?: number };
}

/** The failure an error stands for, or undefined when it is no failure of a call (a bug: rethrown). */
export function failureOf(error: unknown): AwsError | undefined {
  if (!(error instanceof Error)) return undefined;
  const raw = error as RawError;
  const message = (raw.message ?? '').split('\n')[0]!;
  if (CREDENTIAL_PROVIDERS.has(raw.name ?? '')) return { kind: 'credentials', name: raw.name!, message };
  const systemCode = raw.code ?? raw.cause?.code;
  const status = raw.$metadata?.httpStatusCode;
  if (status === undefined && ((systemCode && NETWORK_CODES.has(systemCode)) || raw.name === 'TimeoutError'))
    return { kind: 'network', name: systemCode ?? raw.name!, message: raw.cause?.message ?? message };
  // fetch() answers a network failure with TypeError("fetch failed") and the cause (an interceptor: "Failed to fetch").
  if (raw.name === 'TypeError' && (message === 'fetch failed' || message === 'Failed to fetch'))
    return { kind: 'network', name: systemCode ?? '', message: raw.cause?.message ?? message };
  if (!('$metadata' in error)) return undefined;
  const name = raw.name ?? 'Error';
  const kind: FailureKind = CREDENTIAL_REFUSALS.has(name)
    ? 'credentials'
    : THROTTLES.has(name) || status === 429
      ? 'throttled'
      : name.startsWith('AccessDenied') || status === 403
        ? 'refused'
        : name.startsWith('NoSuch') || status === 404
          ? 'missing'
          : status === undefined
            ? 'network' // no answer at all
            : 'error';
  return { kind, name, message };
}

/** An answer from AWS, or why there is none; anything that is no failure of the call (a bug) is thrown. */
export async function attempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const failure = failureOf(error);
    if (!failure) throw error;
    return { ok: false, error: failure };
  }
}

const KIND_WORDS: Record<FailureKind, string> = {
  network: 'AWS could not be reached',
  credentials: 'no usable credentials',
  throttled: 'throttled by AWS (after the SDK retried)',
  refused: 'refused',
  missing: 'not found',
  error: 'failed',
};

/** One line: `refused: AccessDenied: User: ... is not authorized ...`, `AWS could not be reached: ENOTFOUND ...` */
export function describeError(error: AwsError): string {
  const detail =
    error.name && error.message && !error.message.startsWith(error.name)
      ? `${error.name}: ${error.message}`
      : error.message || error.name;
  return `${KIND_WORDS[error.kind]}: ${detail}`;
}
