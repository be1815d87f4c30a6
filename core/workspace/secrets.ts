/**
 * The workspace file without its secret keys: what the web UI downloads unless secrets are asked for
 * (docs/security.md). Each `secretAccessKey` (IAM users, accounts) is replaced by a placeholder that says
 * so, so the file still reads as a workspace and nobody mistakes it for a working key.
 */
export const HIDDEN_SECRET = '(hidden: download with ?secrets=1 to include secret keys)';

function hideIn(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item) && Object.hasOwn(item, 'secretAccessKey')
      ? { ...item, secretAccessKey: HIDDEN_SECRET }
      : item,
  );
}

export function withoutSecrets<T extends Record<string, unknown>>(json: T): T {
  const out: Record<string, unknown> = { ...json };
  if (Object.hasOwn(out, 'accounts')) out.accounts = hideIn(out.accounts);
  const iam = out.iam;
  if (iam !== null && typeof iam === 'object' && !Array.isArray(iam) && Object.hasOwn(iam, 'users')) {
    out.iam = { ...iam, users: hideIn((iam as Record<string, unknown>).users) };
  }
  return out as T;
}
