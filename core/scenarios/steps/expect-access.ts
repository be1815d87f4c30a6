/** `expectAccess`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { oneOf, type StepDefinition } from './definition.ts';
import { SCENARIO_OPERATIONS, type ScenarioOperation } from '../scenario-types.ts';
import { describeType } from '../../shared/issues.ts';
import { readBoolean, readString } from '../../shared/read-fields.ts';

export const expectAccess: StepDefinition<'expectAccess'> = {
  keys: ['as', 'operation', 'bucket', 'key', 'prefix', 'sse', 'allowed', 'code', 'explanation'],
  required: ['as', 'operation', 'allowed'],
  conditional: ['bucket', 'key'],
  parse(input) {
    const operation = oneOf<ScenarioOperation>(input, 'operation', SCENARIO_OPERATIONS, true);
    const bucket = input.str('bucket');
    const key = input.str('key');
    if (operation && operation !== 'ListBuckets' && !bucket)
      input.issues.push({ path: input.path, message: `${operation} needs a "bucket"` });
    if (operation && ['GetObject', 'HeadObject', 'PutObject', 'DeleteObject'].includes(operation) && !key)
      input.issues.push({ path: input.path, message: `${operation} needs a "key"` });
    if (typeof input.body.allowed !== 'boolean')
      input.issues.push({
        path: input.path,
        message: `"allowed" is required: true or false, got ${describeType(input.body.allowed)}`,
      });
    const code = input.str('code');
    const explanation = input.str('explanation');
    const prefix =
      input.body.prefix === undefined
        ? undefined
        : readString(input.body, 'prefix', input.path, input.issues, { allowEmpty: true });
    return {
      kind: 'expectAccess',
      as: input.str('as', true) ?? '',
      operation: operation ?? 'ListBuckets',
      sse: readBoolean(input.body, 'sse', input.path, input.issues, false),
      allowed: input.body.allowed === true,
      ...(bucket !== undefined ? { bucket } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(prefix !== undefined ? { prefix } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(explanation !== undefined ? { explanation } : {}),
    };
  },
};
