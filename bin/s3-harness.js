#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx s3-harness` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../emulator/cli/main.ts');
