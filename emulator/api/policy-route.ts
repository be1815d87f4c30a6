/**
 * `GET /api/accounts/:name/policy`: the account's least-privilege policy (`s3-harness policy`, docs/go-live.md),
 * against the bucket policies in force now. Query: `per` (`account` or `integration`), `bucketMode`
 * (`list` or `manual`), `listBuckets=false` (List Buckets mode without s3:ListAllMyBuckets).
 */
import type { Hono } from 'hono';
import type { PolicyDocument } from '../../core/iam/index.ts';
import { leastPrivilegePolicies, type PolicyOptions } from '../../core/preflight/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { badRequest, notFound } from './responses.ts';

/** The options a query asks for, or what is wrong with it. */
function policyQuery(query: Record<string, string>): Omit<PolicyOptions, 'account'> | string {
  const { per, bucketMode, listBuckets } = query;
  if (per !== undefined && per !== 'account' && per !== 'integration')
    return `per must be account or integration, got "${per}"`;
  if (bucketMode !== undefined && bucketMode !== 'list' && bucketMode !== 'manual')
    return `bucketMode must be list or manual, got "${bucketMode}"`;
  if (listBuckets !== undefined && listBuckets !== 'true' && listBuckets !== 'false')
    return `listBuckets must be true or false, got "${listBuckets}"`;
  return {
    ...(per ? { per } : {}),
    ...(bucketMode ? { bucketMode } : {}),
    ...(listBuckets === 'false' ? { listAllMyBuckets: false } : {}),
  };
}

export function addPolicyRoute(
  app: Hono,
  workspace: Workspace,
  bucketPolicyOf?: (bucket: string) => PolicyDocument | undefined,
): void {
  app.get('/api/accounts/:name/policy', (c) => {
    const options = policyQuery(c.req.query());
    if (typeof options === 'string') return badRequest(c, options);
    const account = c.req.param('name');
    const result = leastPrivilegePolicies(workspace, {
      ...options,
      account,
      ...(bucketPolicyOf ? { bucketPolicyOf } : {}),
    });
    if (!result.ok) return c.json(notFound(result.error), 404);
    return c.json({ account, policies: result.policies });
  });
}
