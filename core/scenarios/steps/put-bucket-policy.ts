/** `putBucketPolicy`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import type { StepDefinition } from './definition.ts';
import { asPolicyDocument } from '../../iam/index.ts';
import { describeType, isRecord } from '../../shared/issues.ts';

export const putBucketPolicy: StepDefinition<'putBucketPolicy'> = {
  keys: ['as', 'bucket', 'policy'],
  required: ['as', 'bucket', 'policy'],
  parse(input) {
    let policy = null;
    if (input.body.policy === undefined)
      input.issues.push({
        path: input.path,
        message: '"policy" is required: a policy document, or null to delete the bucket\'s policy',
      });
    else if (input.body.policy !== null) {
      // The gateway validates it as S3 does when the step sends it (MalformedPolicy names the problem).
      if (!isRecord(input.body.policy) || input.body.policy.Statement === undefined)
        input.issues.push({
          path: input.path,
          message: `"policy" must be a policy document with a "Statement", got ${describeType(input.body.policy)}`,
        });
      else policy = asPolicyDocument(input.body.policy);
    }
    return {
      kind: 'putBucketPolicy',
      as: input.str('as', true) ?? '',
      bucket: input.str('bucket', true) ?? '',
      policy,
    };
  },
};
