/** `upload`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import type { StepDefinition } from './definition.ts';
import { readBoolean, readString } from '../../shared/read-fields.ts';

export const upload: StepDefinition<'upload'> = {
  keys: ['as', 'bucket', 'key', 'file', 'text', 'sse'],
  required: ['as', 'bucket', 'key'],
  oneOf: [['file', 'text']],
  parse(input) {
    const file = input.str('file');
    const text =
      input.body.text === undefined
        ? undefined
        : readString(input.body, 'text', input.path, input.issues, { allowEmpty: true });
    if ((file === undefined) === (text === undefined))
      input.issues.push({
        path: input.path,
        message: 'an upload takes either "file" (relative to the scenario) or "text"',
      });
    return {
      kind: 'upload',
      as: input.str('as', true) ?? '',
      bucket: input.str('bucket', true) ?? '',
      key: input.str('key', true) ?? '',
      body: file !== undefined ? { file } : { text: text ?? '' },
      sse: readBoolean(input.body, 'sse', input.path, input.issues, false),
    };
  },
};
