import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { firstJsonErrorOffset } from '../../core/shared/json-error-location.ts';

describe('firstJsonErrorOffset', () => {
  test.prop([fc.json()])('accepts exactly what JSON.parse accepts', (text) => {
    expect(firstJsonErrorOffset(text)).toBe(-1);
  });

  test.prop([fc.json(), fc.nat(), fc.constantFrom('}', ']', ',', ':', 'x', '"')])(
    'finds an error in a text JSON.parse refuses',
    (text, at, junk) => {
      const broken = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
      let valid = true;
      try {
        JSON.parse(broken);
      } catch {
        valid = false;
      }
      const offset = firstJsonErrorOffset(broken);
      expect(offset === -1).toBe(valid);
      if (!valid) expect(offset).toBeLessThanOrEqual(broken.length);
    },
  );
});
