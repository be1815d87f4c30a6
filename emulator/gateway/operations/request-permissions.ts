/**
 * The permissions a request needs, from its operation's entry (table.ts): each rule's target (the
 * object, or the version the request names; the copy source and its version) and the facts its
 * condition keys come from, read from the request and the object store.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayRequest, GatewayServices } from '../context.ts';
import type { TagSet } from '../object-tags.ts';
import { parseCopySource } from './copy-source.ts';
import { permissionOf, type PermissionRule, type RequiredPermission, type RuleFacts } from './permissions.ts';
import { tagsSetBy } from './request-tags.ts';

/** The tags of the version a request names, or of the latest; none when there is no such object. */
export function tagsOfVersion(s: GatewayServices, bucket: string, key: string, versionId: string | undefined): TagSet {
  const version = versionId === undefined ? s.store.latest(bucket, key) : s.store.version(bucket, key, versionId);
  return version?.kind === 'object' ? version.tags : [];
}

/** A request header by its lower-case name; repeated ones joined by commas. */
export function headerLookup(headers: IncomingHttpHeaders): (name: string) => string | undefined {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
}

export interface PermissionOptions {
  /** Another object than the request's own (DeleteObjects' keys). */
  target?: { key: string; versionId?: string };
  /** The tags the request sets, when not in its headers (PutObjectTagging's body). */
  requestTags?: TagSet;
}

/** The facts of one rule's target. */
function factsFor(
  s: GatewayServices,
  g: GatewayRequest,
  rule: PermissionRule,
  header: (name: string) => string | undefined,
  { target, requestTags }: PermissionOptions,
): RuleFacts {
  const common = { header, query: g.operation.query, ...(requestTags ? { requestTags } : {}) };
  if (rule.on === 'copy-source') {
    const source = parseCopySource(String(header('x-amz-copy-source')));
    return {
      ...common,
      ...source,
      existingTags: () => tagsOfVersion(s, source.bucket, source.key, source.versionId),
    };
  }
  const bucket = g.operation.bucket ?? '';
  const key = target?.key ?? g.operation.key ?? '';
  const versionId = target ? target.versionId : g.operation.query.get('versionId');
  return {
    ...common,
    bucket,
    key,
    ...(versionId !== undefined && rule.on === 'object' ? { versionId } : {}),
    existingTags: () => (rule.on === 'object' ? tagsOfVersion(s, bucket, key, versionId) : []),
  };
}

/** The permissions of the entry's rules for this request (a tag rule only when the request sets tags). */
export function requestPermissions(
  s: GatewayServices,
  g: GatewayRequest,
  rules: readonly PermissionRule[],
  options: PermissionOptions = {},
): RequiredPermission[] {
  const header = headerLookup(g.req.headers);
  // The tags a write sets, read once for all its rules.
  const requestTags = options.requestTags ?? tagsSetBy(g.operation.name, header);
  const resolved = { ...options, ...(requestTags ? { requestTags } : {}) };
  return rules.flatMap((rule) => {
    const facts = factsFor(s, g, rule, header, resolved);
    if (rule.whenSettingTags && facts.requestTags === undefined) return [];
    return [permissionOf(rule, facts)];
  });
}
