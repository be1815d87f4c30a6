/** The permission preflight: what each integration will need, and whether its account may. */
export {
  checkPermission,
  workspaceBucketPolicies,
  runPreflight,
  type IntegrationPreflight,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
} from './preflight.ts';
export {
  integrationNeeds,
  sampleInboundKey,
  statementFor,
  type Grant,
  type IntegrationNeeds,
  type Need,
} from './needs.ts';
export {
  leastPrivilegePolicies,
  type GeneratedPolicy,
  type GeneratedStatement,
  type PolicyOptions,
  type PolicyResult,
  type UngrantedNeed,
} from './least-privilege.ts';
