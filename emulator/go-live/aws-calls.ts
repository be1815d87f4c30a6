/**
 * What every call to the customer's real AWS shares: the client settings (a region, a profile of the
 * provider chain, or credentials handed in by a test) and AWS's refusals as data, other failures thrown.
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

export interface AwsError {
  name?: string;
  message?: string;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; error: AwsError };

/** An answer from AWS, or its refusal; anything else (no credentials, a bug) is thrown. */
export async function attempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (!(error instanceof Error) || !('$metadata' in error)) throw error; // not an AWS answer: a real failure
    return { ok: false, error: error as AwsError };
  }
}

/** `AccessDenied: User: ... is not authorized ...` */
export const describeError = (error: AwsError) =>
  `${error.name ?? 'Error'}${error.message ? `: ${error.message}` : ''}`;
