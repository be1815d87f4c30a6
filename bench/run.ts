/** `npm run bench`: every benchmark, in turn. `npm run bench -- gateway` or `-- import` runs one. */
import { runGatewayBench } from './gateway.ts';
import { runImportBench } from './import.ts';

const only = process.argv[2];
if (!only || only === 'gateway') await runGatewayBench();
if (!only || only === 'import') await runImportBench();
