/**
 * What the S3 endpoint answered each request, and why, in words (docs/web-ui.md, "Activity"): who
 * (the IAM user, or the access key id of a key no user has), what (operation, bucket, key), how it
 * ended (status, S3 error code), and why it was refused: the policy decision of an AccessDenied, and
 * for the failures a client only sees as a code (an unknown key, a wrong secret, a skewed clock) what
 * they mean and, for a signature mismatch, AWS's string to sign and canonical request to compare with
 * the client's. The harness's Activity page and `GET /api/activity` show it; the log names each
 * authentication failure.
 */
import { EXPLANATION_HEADER } from './authorizer.ts';
import type { S3Error } from './s3-errors.ts';

export interface RequestActivity {
  requestId: string;
  time: string;
  method: string;
  /** The path as received (`/bucket/key`), for a request that never got as far as an operation. */
  path: string;
  /** The IAM user of a request signed with a known key. */
  user?: string;
  /** The access key id a request was signed with (not secret; named when no user has it). */
  accessKeyId?: string;
  /** The user whose access key id signed a request that failed authentication (a wrong secret, a skewed clock). */
  keyOwner?: string;
  operation?: string;
  bucket?: string;
  key?: string;
  /** The status answered (499: the client went away before an answer). */
  status: number;
  /** The S3 error code of a refused or failed request. */
  code?: string;
  message?: string;
  /** Why, in words. */
  why?: string;
  /** Refused before any policy was asked: the client's keys, clock, region or signing (not the policy). */
  authentication?: true;
  /** A SignatureDoesNotMatch's: what AWS signed, to compare with the client's. */
  stringToSign?: string;
  canonicalRequest?: string;
}

/** The errors of authentication (before any policy): a client's keys, clock or signing settings. */
const AUTHENTICATION_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'RequestTimeTooSkewed',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'InvalidToken',
  'XAmzContentSHA256Mismatch',
]);

export class RequestTrace {
  user?: string;
  accessKeyId?: string;
  keyOwner?: string | undefined;
  operation?: string;
  bucket?: string;
  key?: string;
  #error?: S3Error;

  constructor(
    private readonly requestId: string,
    private readonly method: string,
    private readonly path: string,
    private readonly time: Date,
  ) {}

  failed(error: S3Error): void {
    this.#error = error;
  }

  /** How the request ended: `answered` false when the client went away before the answer was sent. */
  finish(status: number, answered: boolean): RequestActivity {
    const error = this.#error;
    return {
      requestId: this.requestId,
      time: this.time.toISOString(),
      method: this.method,
      path: this.path,
      ...(this.user !== undefined ? { user: this.user } : {}),
      ...(this.accessKeyId !== undefined ? { accessKeyId: this.accessKeyId } : {}),
      ...(this.keyOwner !== undefined && this.user === undefined ? { keyOwner: this.keyOwner } : {}),
      ...(this.operation !== undefined ? { operation: this.operation } : {}),
      ...(this.bucket !== undefined ? { bucket: this.bucket } : {}),
      ...(this.key !== undefined ? { key: this.key } : {}),
      status: answered ? status : 499,
      ...(error ? { code: error.code, message: error.message, why: this.#why(error) } : {}),
      ...(error && isAuthenticationFailure(error) ? { authentication: true as const } : {}),
      ...(error?.code === 'SignatureDoesNotMatch'
        ? {
            stringToSign: String(error.detail.StringToSign ?? ''),
            canonicalRequest: String(error.detail.CanonicalRequest ?? ''),
          }
        : {}),
    };
  }

  #why(error: S3Error): string {
    const key = this.accessKeyId ?? 'the access key';
    const { detail } = error;
    switch (error.code) {
      case 'AccessDenied':
        if (error.headers[EXPLANATION_HEADER]) return error.headers[EXPLANATION_HEADER];
        if (detail.Expires !== undefined)
          return `the presigned URL expired at ${String(detail.Expires)} (the harness's time: ${String(detail.ServerTime)}): sign a new one, with a longer X-Amz-Expires if needed`;
        return error.message;
      case 'InvalidAccessKeyId':
        return `no user of the workspace has the access key id ${key}: the client's keys are not this workspace's (a typo, another account's, or keys from before the workspace changed)`;
      case 'SignatureDoesNotMatch':
        return `the signature is not the one ${this.keyOwner ?? 'the key owner'}'s secret key makes (${key}): the client's secret key is wrong, or the request changed after it was signed; compare AWS's string to sign and canonical request below with the client's`;
      case 'RequestTimeTooSkewed':
        return `the client's clock is more than 15 minutes off the harness's: the request says ${String(detail.RequestTime)}, the harness's time is ${String(detail.ServerTime)}: set the client machine's clock`;
      case 'AuthorizationHeaderMalformed':
      case 'AuthorizationQueryParametersError':
        return detail.Region !== undefined
          ? `${error.message}: set the client's region to ${String(detail.Region)} (the workspace's region)`
          : error.message;
      default:
        return error.message;
    }
  }
}

/** Refused before any policy was asked: an authentication code, or an AccessDenied no policy decided (an expired URL). */
export function isAuthenticationFailure(error: S3Error): boolean {
  return (
    AUTHENTICATION_CODES.has(error.code) ||
    (error.code === 'AccessDenied' && error.headers[EXPLANATION_HEADER] === undefined)
  );
}
