/** Connected accounts, inbound integrations and prefix matching. */
export type * from './inbound-types.ts';
export { DETECTIONS, OUTCOMES } from './inbound-types.ts';
export {
  compilePrefix,
  prefixesOverlap,
  DYNAMIC_VALUES,
  type CompiledPrefix,
  type PrefixMatch,
} from './prefix-match.ts';
export { INBOUND_FIELDS, parseAccounts, parseInbound } from './parse-inbound.ts';
export {
  createImporter,
  integrationId,
  type Importer,
  type ImporterOptions,
  type IntegrationRef,
  type DroppedObject,
} from './importer.ts';
export { checkIntegration, type IntegrationStatus } from './integration-check.ts';
export { inboundCandidates, takenBy, whyNotTaken, type NearMiss, type NearMissCandidate } from './near-miss.ts';
export type { LedgerEntry, SubmissionStore } from './ports.ts';
