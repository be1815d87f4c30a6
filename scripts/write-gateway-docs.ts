/** `npx tsx scripts/write-gateway-docs.ts`: rewrites docs/gateway.md's generated tables from the operation table. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withGeneratedBlocks } from '../emulator/gateway/operations/docs-tables.ts';

const file = new URL('../docs/gateway.md', import.meta.url);
writeFileSync(file, withGeneratedBlocks(readFileSync(file, 'utf8')));
console.log('docs/gateway.md: operation tables rewritten');
