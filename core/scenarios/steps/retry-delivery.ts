/** `retryDelivery`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import type { StepDefinition } from './definition.ts';

export const retryDelivery: StepDefinition<'retryDelivery'> = {
  keys: ['bucket', 'key', 'integration'],
  required: ['key', 'integration'],
  parse(input) {
    const bucket = input.str('bucket');
    return {
      kind: 'retryDelivery',
      key: input.str('key', true) ?? '',
      integration: input.str('integration', true) ?? '',
      ...(bucket !== undefined ? { bucket } : {}),
    };
  },
  references(step, workspace) {
    return workspace.templates.some((t) => t.outbound.some((o) => o.name === step.integration))
      ? []
      : [`"integration" names "${step.integration}", which is not an outbound integration of the workspace`];
  },
};
