#!/usr/bin/env node
// An installed package runs the compiled CLI (dist/, built by `npm run build` and shipped by
// `npm pack`); a checkout of the repository runs the TypeScript sources through tsx, so that an
// edit takes effect without a build.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../emulator/cli/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../emulator/cli/main.ts');
} else {
  await import('../dist/cli.js');
}
