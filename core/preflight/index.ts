/** The permission preflight: what each integration will need, and whether its account may. */
export {
  checkPermission,
  runPreflight,
  sampleInboundKey,
  type IntegrationPreflight,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
} from './preflight.ts';
