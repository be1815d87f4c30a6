import { randomBytes } from 'node:crypto';

// One random draw per process, then a counter: unique ids without a crypto call per request.
const PROCESS_PREFIX = randomBytes(4).toString('hex').toUpperCase();
const HOST_BASE = randomBytes(36).toString('base64');
let counter = 0;

/** S3 request ids are 16 uppercase hex characters; host ids are long base64 strings. */
export function newRequestIds(): { requestId: string; hostId: string } {
  counter = (counter + 1) >>> 0;
  const serial = counter.toString(16).toUpperCase().padStart(8, '0');
  return { requestId: `${PROCESS_PREFIX}${serial}`, hostId: `${HOST_BASE}${Buffer.from(serial).toString('base64')}` };
}
