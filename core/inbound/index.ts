/** Connected accounts, inbound integrations and prefix matching. */
export type * from './inbound-types.ts';
export { compilePrefix, prefixesOverlap, DYNAMIC_VALUES, type CompiledPrefix, type PrefixMatch } from './prefix-match.ts';
export { parseAccounts, parseInbound } from './parse-inbound.ts';
