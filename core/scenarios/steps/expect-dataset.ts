/** `expectDataset`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { readObjects, listed, type StepDefinition } from './definition.ts';

export const expectDataset: StepDefinition<'expectDataset'> = {
  keys: ['template', 'rows'],
  required: ['template', 'rows'],
  parse(input) {
    const rows = readObjects(input, 'rows');
    if (!rows)
      input.issues.push({
        path: input.path,
        message: '"rows" is required: the dataset\'s rows in order, such as [{"values": {"Campaign": "Spring"}}]',
      });
    return { kind: 'expectDataset', template: input.str('template', true) ?? '', rows: rows ?? [] };
  },
  references(step, workspace) {
    const templates = workspace.templates.map((t) => t.name);
    return templates.includes(step.template)
      ? []
      : [`"template" names "${step.template}", which is not a template of the workspace (${listed(templates)})`];
  },
};
