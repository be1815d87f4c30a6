/** `expectIntegration`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { oneOf, listed, type StepDefinition } from './definition.ts';

export const expectIntegration: StepDefinition<'expectIntegration'> = {
  keys: ['id', 'direction', 'status', 'warning'],
  required: ['id', 'status'],
  parse(input) {
    const direction = oneOf(input, 'direction', ['inbound', 'outbound'] as const);
    const warning = input.str('warning');
    return {
      kind: 'expectIntegration',
      id: input.str('id', true) ?? '',
      status: oneOf(input, 'status', ['active', 'warning'] as const, true) ?? 'active',
      ...(direction ? { direction } : {}),
      ...(warning !== undefined ? { warning } : {}),
    };
  },
  references(step, workspace) {
    const ids = workspace.templates.flatMap((t) => [...t.inbound, ...t.outbound].map((i) => `${t.name}/${i.name}`));
    return ids.includes(step.id)
      ? []
      : [`"id" names "${step.id}", which is not an integration of the workspace (${listed(ids)})`];
  },
};
