/**
 * One IAM decision with many wildcards against a long key (core/iam/pattern.ts): a bucket policy
 * Resource `arn:aws:s3:::b/reports/*\/*\/*\/*\/*.csv` granted to `*`, and an anonymous GetObject of a
 * 10 KB key that does not match it. A backtracking RegExp took 17 s on a 349-byte key, holding the
 * process; target < 1 ms a decision.
 */
import { evaluate, type AttachedPolicy } from '../core/iam/index.ts';

const TARGET_MS = 1;
const RUNS = 200;

export async function runPolicyBench(): Promise<void> {
  const policy: AttachedPolicy = {
    source: { kind: 'bucket', bucket: 'b' },
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/reports/*/*/*/*/*.csv' },
      ],
    },
  };
  console.log(`\nPolicy decisions: a Resource of five * against long keys (best of ${RUNS})`);
  for (const keyBytes of [349, 992, 10 * 1024]) {
    const key = `reports/${'a/'.repeat(Math.floor((keyBytes - 14) / 2))}x.csvx`; // ends past `.csv`: the worst case
    let best = Infinity;
    let allowed = false;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      allowed = evaluate(
        { principal: { kind: 'anonymous' }, action: 's3:GetObject', resource: `arn:aws:s3:::b/${key}`, context: {} },
        [policy],
      ).allowed;
      best = Math.min(best, performance.now() - started);
    }
    const verdict = keyBytes >= 10 * 1024 ? ` (target < ${TARGET_MS} ms): ${best < TARGET_MS ? 'met' : 'NOT met'}` : '';
    console.log(
      `key of ${String(key.length).padStart(5)} bytes: ${best.toFixed(3)} ms, ${allowed ? 'allowed' : 'denied'}${verdict}`,
    );
  }
}
