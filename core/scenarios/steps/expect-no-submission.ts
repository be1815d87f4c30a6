/** `expectNoSubmission`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import type { StepDefinition } from './definition.ts';

export const expectNoSubmission: StepDefinition<'expectNoSubmission'> = {
  keys: ['bucket', 'key'],
  required: ['key'],
  parse(input) {
    const bucket = input.str('bucket');
    return {
      kind: 'expectNoSubmission',
      key: input.str('key', true) ?? '',
      ...(bucket !== undefined ? { bucket } : {}),
    };
  },
};
