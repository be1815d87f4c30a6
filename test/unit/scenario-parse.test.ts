import { describe, expect, it } from 'vitest';
import { applyPatch, parseScenario } from '../../core/scenarios/index.ts';

describe('scenario files', () => {
  it('name every problem with its path', () => {
    const result = parseScenario({
      name: 'x',
      workspace: 'w.json',
      clock: 'yesterday',
      extra: 1,
      steps: [
        { upload: { as: 'u', bucket: 'b', key: 'k' } },
        { expectAccess: { as: 'u', operation: 'GetObject', bucket: 'b', allowed: 'yes' } },
        { expectObject: { as: 'u', bucket: 'b', keyPattern: '(' } },
        { frobnicate: {} },
        { expectSubmission: { key: 'k', status: 'done', counts: { rows: 1 } } },
      ],
    });
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^\(file\): unknown key "extra"/),
      'clock: "clock" must be an ISO 8601 time such as "2026-11-28T09:30:00Z", got "yesterday"',
      'steps[0].upload: an upload takes either "file" (relative to the scenario) or "text"',
      'steps[1].expectAccess: GetObject needs a "key"',
      'steps[1].expectAccess: "allowed" is required: true or false, got string "yes"',
      expect.stringMatching(/^steps\[2\]\.expectObject: "keyPattern" is not a valid regular expression/),
      expect.stringMatching(/^steps\[3\]: a step is an object with one key, the step's kind \(.*\), got "frobnicate"$/),
      'steps[4].expectSubmission: "status" must be one of "complete", "failed", "pending", got string "done"',
    ]);
  });

  it('keep the submission fields an expectSubmission step states', () => {
    const result = parseScenario({
      name: 'x',
      workspace: {},
      steps: [{ expectSubmission: { key: 'k', counts: { rows: 1 }, name: 'k.csv' } }],
    });
    expect(result.ok && result.value.steps[0]).toEqual({
      kind: 'expectSubmission',
      key: 'k',
      fields: { name: 'k.csv', counts: { rows: 1 } },
      issuesMatch: 'subset',
      timeoutMs: 20_000,
    });
  });
});

describe('workspace patches', () => {
  const workspace = { templates: [{ name: 'Email', outbound: [{ sse: true }] }, { name: 'Social' }], accounts: [] };

  it('set a value by key, index and name, and append', () => {
    const result = applyPatch(workspace, {
      'templates[name=Email].outbound[0].sse': false,
      'templates[1].name': 'Posts',
      'accounts[+]': { name: 'a' },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        templates: [{ name: 'Email', outbound: [{ sse: false }] }, { name: 'Posts' }],
        accounts: [{ name: 'a' }],
      },
    });
    expect(workspace.templates[0]!.outbound![0]!.sse).toBe(true); // the original is left alone
  });

  it('name a path that leads nowhere', () => {
    const result = applyPatch(workspace, { 'templates[name=Nope].sse': 1, 'templates[5]': 1, 'a..b': 1 });
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'patch["templates[name=Nope].sse"]', message: '[name=Nope]: no such item (the list has 2)' },
      { path: 'patch["templates[5]"]', message: '[5]: no such item (the list has 2)' },
      {
        path: 'patch["a..b"]',
        message:
          'is not a path: keys separated by dots, with [N], [name=X] or [+], such as "templates[name=Email].outbound[0].sse"',
      },
    ]);
  });
});
