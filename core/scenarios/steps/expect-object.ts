/** `expectObject`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { oneOf, validRegExp, type StepDefinition } from './definition.ts';
import { readString } from '../../shared/read-fields.ts';

export const expectObject: StepDefinition<'expectObject'> = {
  keys: ['as', 'bucket', 'key', 'keyPattern', 'equalsFile', 'text', 'rows', 'delimiter', 'sse'],
  required: ['as', 'bucket'],
  oneOf: [['key', 'keyPattern']],
  parse(input) {
    const key = input.str('key');
    const keyPattern = input.str('keyPattern');
    if ((key === undefined) === (keyPattern === undefined))
      input.issues.push({ path: input.path, message: 'an expectObject step names either a "key" or a "keyPattern"' });
    validRegExp(input, keyPattern);
    const optional = Object.fromEntries(
      (['equalsFile', 'delimiter'] as const).map((k) => [k, input.str(k)]).filter(([, v]) => v !== undefined),
    );
    const text =
      input.body.text === undefined
        ? undefined
        : readString(input.body, 'text', input.path, input.issues, { allowEmpty: true });
    const sse = oneOf(input, 'sse', ['AES256', 'none'] as const);
    return {
      kind: 'expectObject',
      as: input.str('as', true) ?? '',
      bucket: input.str('bucket', true) ?? '',
      ...optional,
      ...(key !== undefined ? { key } : {}),
      ...(keyPattern !== undefined ? { keyPattern } : {}),
      ...(text !== undefined ? { text } : {}),
      ...(input.body.rows !== undefined ? { rows: input.body.rows } : {}),
      ...(sse ? { sse } : {}),
    };
  },
};
