import { describe, expect, it } from 'vitest';
import { dataFolderFault } from '../../emulator/gateway/data-folder-fault.ts';

const fault = (code: string, path?: string) => Object.assign(new Error(code), { code, ...(path ? { path } : {}) });

describe('data-folder faults', () => {
  it('are the machine refusing a write: full, read-only, no permission; named, with the file only for the log', () => {
    expect(dataFolderFault(fault('EROFS', '/data/objects/a'))).toBe(
      "the harness's data folder cannot be written now (EROFS: the file system is read-only): free space or fix the folder, then retry",
    );
    expect(dataFolderFault(fault('EROFS', '/data/objects/a'), { where: true })).toContain(
      '(EROFS: the file system is read-only, at /data/objects/a)',
    );
    for (const code of ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM'])
      expect(dataFolderFault(fault(code)), code).toContain(`(${code}: `);
    for (const other of [
      fault('ENOENT'),
      fault('constructor'),
      fault('__proto__'),
      new Error('x'),
      undefined,
      null,
      'ENOSPC',
    ])
      expect(dataFolderFault(other)).toBeUndefined();
  });
});
