/** `npm run bench`: every benchmark, in turn. `npm run bench -- gateway`, `-- import`, `-- outbound`, `-- checksums`, `-- files`, `-- growth`, `-- policy`, `-- scenarios` or `-- startup` runs one. */
import { runChecksumBench } from './checksums.ts';
import { runGatewayBench } from './gateway.ts';
import { runGrowthBench } from './growth.ts';
import { runHostileFilesBench } from './hostile-files.ts';
import { runImportBench } from './import.ts';
import { runOutboundBench } from './outbound.ts';
import { runPolicyBench } from './policy.ts';
import { runScenariosBench } from './scenarios.ts';
import { runStartupBench } from './startup.ts';

const only = process.argv[2];
if (!only || only === 'gateway') await runGatewayBench();
if (!only || only === 'import') await runImportBench();
if (!only || only === 'outbound') await runOutboundBench();
if (!only || only === 'checksums') await runChecksumBench();
if (!only || only === 'files') await runHostileFilesBench();
if (!only || only === 'growth') await runGrowthBench();
if (!only || only === 'policy') await runPolicyBench();
if (!only || only === 'scenarios') await runScenariosBench();
if (!only || only === 'startup') await runStartupBench();
