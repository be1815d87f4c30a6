/** `expectPreflight`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { listed, type StepDefinition } from './definition.ts';
import { describeType } from '../../shared/issues.ts';

export const expectPreflight: StepDefinition<'expectPreflight'> = {
  keys: ['ok', 'integration', 'action', 'allowed', 'statement', 'explanation'],
  required: [],
  conditional: ['integration', 'action'],
  parse(input) {
    const integration = input.str('integration');
    const action = input.str('action');
    if ((integration === undefined) !== (action === undefined))
      input.issues.push({ path: input.path, message: 'a preflight check names both "integration" and "action"' });
    const optional: Record<string, unknown> = {};
    for (const key of ['ok', 'allowed'] as const) {
      if (input.body[key] === undefined) continue;
      if (typeof input.body[key] !== 'boolean')
        input.issues.push({
          path: input.path,
          message: `"${key}" must be true or false, got ${describeType(input.body[key])}`,
        });
      else optional[key] = input.body[key];
    }
    for (const key of ['statement', 'explanation'] as const) {
      const v = input.str(key);
      if (v !== undefined) optional[key] = v;
    }
    return {
      kind: 'expectPreflight',
      ...(integration !== undefined ? { integration } : {}),
      ...(action !== undefined ? { action } : {}),
      ...optional,
    };
  },
  references(step, workspace) {
    const ids = workspace.templates.flatMap((t) => [...t.inbound, ...t.outbound].map((i) => `${t.name}/${i.name}`));
    return step.integration === undefined || ids.includes(step.integration)
      ? []
      : [`"integration" names "${step.integration}", which is not an integration of the workspace (${listed(ids)})`];
  },
};
