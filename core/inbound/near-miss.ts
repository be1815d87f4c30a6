/**
 * Why no inbound integration takes a dropped key, in the words a Customer Success engineer needs: the
 * nearest integration (the one whose prefix shares the longest start with the key, case aside) and
 * what differs: the bucket, the case, the folder, the template's name, or a dynamic value
 * (docs/inbound.md, "Prefixes and dynamic values"). S3 prefixes are case-sensitive, as the product's.
 */
import type { InboundIntegration } from './inbound-types.ts';
import { integrationId } from './importer.ts';
import { compilePrefix, type PrefixVariant } from './prefix-match.ts';

export interface NearMissCandidate {
  /** `Template/Integration` */
  id: string;
  bucket: string;
  /** The prefix as written in the workspace (with its dynamic values). */
  prefix: string;
  templateName: string;
}

export interface NearMiss {
  /** The nearest integration, when one watches this bucket. */
  integration?: string;
  prefix?: string;
  /** One line: what differs, and what the key would have to be. */
  reason: string;
}

function sharedStart(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** The folder of a key or a prefix: up to its last `/` (empty at the bucket's root). */
const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/** Why the key is not taken by `candidate`, checked from the likeliest mistake to the least. */
function reasonFor(candidate: NearMissCandidate, key: string): string {
  const compiled = (variant: PrefixVariant) => compilePrefix(candidate.prefix, candidate.templateName, variant);
  const exact = compiled({});
  const written = `the prefix "${candidate.prefix}"`;
  if (compiled({ ignoreCase: true }).match(key))
    return `the case differs: ${written} takes keys starting "${exact.staticPrefix}", and S3 prefixes are case-sensitive`;
  if (candidate.prefix.includes('{{') && compiled({ anyTemplateName: true }).match(key))
    return `the template's name: ${written} expects "${candidate.templateName}" where the key has another name`;
  if (compiled({ anySubmittedAt: true }).match(key))
    return `the {{submitted_at}} part of ${written} must be a time such as 2026-11-28_09-30-00`;
  const expectedFolder = folderOf(exact.staticPrefix);
  if (folderOf(key) !== expectedFolder && !key.startsWith(expectedFolder))
    return `another folder: ${written} takes keys in "${expectedFolder || '(the bucket root)'}", this key is in "${folderOf(key) || '(the bucket root)'}"`;
  return `the key does not start with ${written} (expected "${exact.staticPrefix}...")`;
}

/** Every inbound integration of the workspace's templates, as candidates for a dropped key. */
export function inboundCandidates(
  templates: readonly { name: string; inbound: readonly InboundIntegration[] }[],
): NearMissCandidate[] {
  return templates.flatMap((template) =>
    template.inbound.map((integration) => ({
      id: integrationId(integration),
      bucket: integration.bucket,
      prefix: integration.prefix,
      templateName: template.name,
    })),
  );
}

/** The ids of the candidates that take `bucket`/`key` (more than one when prefixes overlap). */
export function takenBy(candidates: readonly NearMissCandidate[], bucket: string, key: string): string[] {
  return candidates
    .filter((c) => c.bucket === bucket && compilePrefix(c.prefix, c.templateName).match(key))
    .map((c) => c.id);
}

/** Why no candidate takes `bucket`/`key`; undefined when one does. */
export function whyNotTaken(
  candidates: readonly NearMissCandidate[],
  bucket: string,
  key: string,
): NearMiss | undefined {
  const onBucket = candidates
    .filter((c) => c.bucket === bucket)
    .map((candidate) => ({ candidate, prefix: compilePrefix(candidate.prefix, candidate.templateName) }));
  if (onBucket.some(({ prefix }) => prefix.match(key))) return undefined;
  if (onBucket.length === 0) {
    const watched = [...new Set(candidates.map((c) => c.bucket))];
    return {
      reason: `no inbound integration watches bucket ${bucket}${watched.length ? ` (they watch ${watched.join(', ')})` : ' (the workspace has none)'}`,
    };
  }
  const lower = key.toLowerCase();
  const shared = ({ prefix }: (typeof onBucket)[number]) => sharedStart(prefix.staticPrefix.toLowerCase(), lower);
  const { candidate: nearest } = onBucket.reduce((best, next) => (shared(next) > shared(best) ? next : best));
  return { integration: nearest.id, prefix: nearest.prefix, reason: reasonFor(nearest, key) };
}
