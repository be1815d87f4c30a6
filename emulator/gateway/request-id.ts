import { randomBytes } from 'node:crypto';

/** S3 request ids are 16 uppercase hex characters; host ids are long base64 strings. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function newHostId(): string {
  return randomBytes(42).toString('base64');
}
