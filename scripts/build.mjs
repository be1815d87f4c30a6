/**
 * `npm run build`: the compiled package in dist/ (what `npm pack` ships and an installed s3-harness runs):
 * the CLI and the API bundled as ES modules for Node 20, each command in its own chunk so that a
 * command loads only what it uses, dependencies left to node_modules. The web UI's stylesheet is
 * copied beside the chunks (the UI reads it next to its own module).
 */
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const dist = new URL('dist/', root);
await rm(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root.pathname,
  entryPoints: { cli: 'emulator/cli/main.ts', index: 'emulator/index.ts', vitest: 'emulator/vitest.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  // Flat: modules find their neighbours (../fixtures, ./assets) from any chunk.
  chunkNames: 'chunk-[hash]',
  sourcemap: true,
  logLevel: 'warning',
});
await cp(new URL('emulator/ui/assets/', root), new URL('assets/', dist), { recursive: true });

// Types for the API (`s3-harness` in a TypeScript project): declarations of core/ and emulator/, their
// relative imports pointing at .js as a published package's do. `--no-types`: the code only (the tests' build).
if (!process.argv.includes('--no-types')) await emitTypes();

async function emitTypes() {
  execFileSync(
    process.execPath,
    [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  for (const file of await readdir(new URL('types/', dist), { recursive: true })) {
    if (!file.endsWith('.d.ts')) continue;
    const path = new URL(`types/${file}`, dist);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/((?:from\s+|import\()['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1.js$2'));
  }
}
