/**
 * Each integration's permission check (the product's Step 3), run at start and on demand, and kept:
 * an inbound integration with a warning imports nothing until the warning is gone.
 */
import { checkIntegration, type IntegrationRef, type IntegrationStatus } from '../../core/inbound/index.ts';
import type { IntegrationWarning } from '../../core/s3/index.ts';
import { checkOutbound, type OutboundStatus } from '../../core/outbound/index.ts';
import type { WorkspaceTemplate } from '../../core/workspace/index.ts';
import type { EngineS3 } from './account-clients.ts';
import type { Reporter } from './report.ts';

export interface IntegrationChecks {
  /** Inbound integrations, then outbound ones, with their warnings, as last checked. */
  all(): (IntegrationStatus | OutboundStatus)[];
  /** Re-checks every integration and reports each warning. */
  check(): Promise<(IntegrationStatus | OutboundStatus)[]>;
  /** Whether the inbound integration may import (no warning). */
  active(ref: IntegrationRef): boolean;
  /** Adds a warning found later (a poll that could not list); false when the integration already had one for this action. */
  warn(ref: IntegrationRef, warning: IntegrationWarning): boolean;
}

export function createIntegrationChecks(options: {
  inbound: readonly IntegrationRef[];
  templates: readonly WorkspaceTemplate[];
  s3For(account: string, region: string): EngineS3;
  now(): Date;
  report: Reporter;
}): IntegrationChecks {
  const inbound = new Map<string, IntegrationStatus>();
  const outbound = new Map<string, OutboundStatus>();
  const all = () => [...inbound.values(), ...outbound.values()];
  return {
    all,
    async check() {
      for (const ref of options.inbound) {
        const { account, region } = ref.integration;
        const status = await checkIntegration(ref, options.s3For(account, region), options.now());
        inbound.set(ref.id, status);
        for (const warning of status.warnings) options.report.integrationWarning(ref.id, warning.message);
      }
      for (const integration of options.templates.flatMap((t) => t.outbound)) {
        const s3 = options.s3For(integration.account, integration.region);
        const status = await checkOutbound(integration, s3, options.now());
        outbound.set(status.id, status);
        for (const warning of status.warnings)
          options.report.integrationWarning(`${status.id} (outbound)`, warning.message);
      }
      return all();
    },
    active: (ref) => inbound.get(ref.id)?.status !== 'warning',
    warn(ref, warning) {
      const status = inbound.get(ref.id);
      if (!status || status.warnings.some((w) => w.action === warning.action)) return false;
      status.warnings.push(warning);
      return true;
    },
  };
}
