import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { compilePrefix } from '../../core/inbound/index.ts';

const segment = fc.string({
  unit: fc.constantFrom('a', 'B', '1', '-', '_', '.', ' ', 'é', '+'),
  minLength: 1,
  maxLength: 8,
});
const rest = fc.string({ unit: fc.constantFrom('a', '/', '.', 'c', 's', 'v', '_'), maxLength: 12 });
const timestamp = fc
  .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 0, 1)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-'));

describe('inbound prefix matching', () => {
  test.prop([segment, segment, rest])(
    '{{template_name}} matches the template name literally, case-sensitively',
    (folder, name, tail) => {
      const prefix = compilePrefix(`${folder}/{{template_name}}`, name);
      expect(prefix.match(`${folder}/${name}${tail}`)).toEqual({});
      const other = name.toUpperCase() === name ? name.toLowerCase() : name.toUpperCase();
      if (other !== name) expect(prefix.match(`${folder}/${other}${tail}`)).toBeUndefined();
      expect(prefix.staticPrefix).toBe(`${folder}/${name}`);
    },
  );

  test.prop([segment, fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), timestamp, rest])(
    '{{submitted_by}} and {{submitted_at}} capture one segment each',
    (folder, user, at, tail) => {
      const prefix = compilePrefix(`${folder}/{{submitted_by}}/{{submitted_at}}/`, 'T');
      expect(prefix.match(`${folder}/${user}/${at}/${tail}`)).toEqual({ submittedBy: user, submittedAt: at });
      expect(prefix.match(`${folder}/${user}/not-a-time/${tail}`)).toBeUndefined();
      expect(prefix.match(`${folder}/${user}`)).toBeUndefined();
    },
  );

  test.prop([segment, fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), rest])(
    'a dynamic value named twice is the same value twice (it was a SyntaxError that failed the workspace)',
    (folder, user, other, tail) => {
      const prefix = compilePrefix(`${folder}/{{submitted_by}}/{{submitted_by}}/`, 'T');
      expect(prefix.match(`${folder}/${user}/${user}/${tail}`)).toEqual({ submittedBy: user });
      if (other !== user) expect(prefix.match(`${folder}/${user}/${other}/${tail}`)).toBeUndefined();
    },
  );

  test.prop([segment, rest, rest])('a key matches exactly when it starts with a static prefix', (folder, key, tail) => {
    const prefix = compilePrefix(`${folder}/`, 'T');
    expect(prefix.match(key) !== undefined).toBe(key.startsWith(`${folder}/`));
    expect(prefix.match(`${folder}/${tail}`)).toBeDefined();
  });
});
