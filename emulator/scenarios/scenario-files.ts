/** Where scenarios are: the `*.json` files under the paths given. */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** Folders that hold a suite's data (golden files, files to drop), not scenarios. */
const DATA_FOLDERS = new Set(['expected', 'files']);

/** `*.json` files under the given files and folders (but not in data folders), sorted, each once. */
export async function findScenarioFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      if (!named && DATA_FOLDERS.has(basename(path))) return;
      for (const entry of (await readdir(path)).sort()) await visit(join(path, entry), false);
    } else if (named || path.endsWith('.json')) {
      found.add(path);
    }
  };
  for (const path of paths) await visit(path, true);
  return [...found].sort();
}
