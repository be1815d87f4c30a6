import { describe, expect, it } from 'vitest';
import type { Decision } from '../../core/iam/index.ts';
import { createDecisionLog } from '../../emulator/gateway/decision-log.ts';

const decision = (allowed: boolean): Decision => ({
  effect: allowed ? 'Allow' : 'ImplicitDeny',
  allowed,
  matchedStatements: [],
  nearMisses: [],
  unmodelledKeys: [],
  explanation: allowed ? 'allowed' : 'no statement allows it',
});
const event = (n: number, userName: string, allowed: boolean) => ({
  requestId: `R${n}`,
  operation: 'PutObject',
  userName,
  action: 's3:PutObject',
  resource: `arn:aws:s3:::b/k${n}`,
  context: {},
  decision: decision(allowed),
});

describe('the decision log', () => {
  it('keeps the latest decisions only, newest first, and filters by user, decision, since and limit', () => {
    const log = createDecisionLog(4);
    for (let n = 1; n <= 6; n++)
      log.record(event(n, n % 2 ? 'ann' : 'bob', n % 3 !== 0), new Date(Date.UTC(2026, 0, 1, 0, 0, n)));
    expect(log.list().map((d) => d.requestId)).toEqual(['R6', 'R5', 'R4', 'R3']);
    expect(log.list()[0]).toMatchObject({ seq: 6, user: 'bob', decision: 'deny', time: '2026-01-01T00:00:06.000Z' });
    expect(log.list({ user: 'ann' }).map((d) => d.requestId)).toEqual(['R5', 'R3']);
    expect(log.list({ decision: 'deny' }).map((d) => d.requestId)).toEqual(['R6', 'R3']);
    expect(log.list({ since: 4 }).map((d) => d.requestId)).toEqual(['R6', 'R5']);
    expect(log.list({ limit: 1 }).map((d) => d.requestId)).toEqual(['R6']);
    expect(createDecisionLog(3).list()).toEqual([]);
  });
});
