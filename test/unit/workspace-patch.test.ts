import { describe, expect, it } from 'vitest';
import { applyEdits, applyPatch, parsePath } from '../../core/workspace/index.ts';

const json = () => ({
  iam: { users: [{ name: 'a.b]c', policies: [{ Sid: 'one' }] }] },
  templates: [{ name: 'Email', outbound: [{ name: 'x' }] }],
});

describe('workspace edits', () => {
  it('reach items by any name, since the UI builds paths as segments', () => {
    const edited = applyEdits(
      json(),
      [
        {
          path: [{ key: 'iam' }, { key: 'users' }, { name: 'a.b]c' }, { key: 'policies' }, { append: true }],
          value: { Sid: 'two' },
        },
      ],
      { indexAppends: false },
    );
    expect(edited).toEqual({
      ok: true,
      value: { ...json(), iam: { users: [{ name: 'a.b]c', policies: [{ Sid: 'one' }, { Sid: 'two' }] }] } },
    });
  });

  it("refuse an index past the end, naming the path and the list's length; a scenario may append at the length", () => {
    const path = [{ key: 'iam' }, { key: 'users' }, { index: 0 }, { key: 'policies' }, { index: 1 }];
    expect(applyEdits(json(), [{ path, value: {} }], { indexAppends: false })).toEqual({
      ok: false,
      issues: [{ path: 'iam.users[0].policies[1]', message: '[1]: no such item (the list has 1)' }],
    });
    expect(applyEdits(json(), [{ path: [...path.slice(0, -1), { index: 30_000_000 }], value: {} }])).toMatchObject({
      ok: false,
    });
    expect(applyEdits(json(), [{ path, value: {} }]).ok).toBe(true);
  });

  it('remove keys and list items, and start a list that is not there yet when appending', () => {
    const removed = applyEdits(json(), [
      { path: [{ key: 'templates' }, { name: 'Email' }, { key: 'outbound' }, { index: 0 }], remove: true },
      { path: [{ key: 'accounts' }, { append: true }], value: { name: 'n' } },
    ]);
    expect(removed).toEqual({
      ok: true,
      value: { ...json(), templates: [{ name: 'Email', outbound: [] }], accounts: [{ name: 'n' }] },
    });
  });

  it('store __proto__ as a key, never as a prototype', () => {
    const edited = applyPatch({ templates: [{ name: 'Email' }] }, { 'templates[0].__proto__': { polluted: true } });
    expect(edited.ok).toBe(true);
    const template = (edited as { value: { templates: Record<string, unknown>[] } }).value.templates[0]!;
    expect(Object.hasOwn(template, '__proto__')).toBe(true);
    expect((template as { polluted?: unknown }).polluted).toBeUndefined();
    expect(parsePath('a..b')).toBeUndefined();
  });
});
