/**
 * The bundled scenario suite's wall time (`scenario run scenarios/`) with 1 and 2 workers, in this
 * process: each scenario starts a harness of its own, so start-up dominates (issue: ~3.6 s for 32).
 */
import { runScenarios } from '../emulator/scenarios/run-all.ts';
import { findScenarioFiles } from '../emulator/scenarios/scenario-files.ts';

export async function runScenariosBench(): Promise<void> {
  const files = await findScenarioFiles(['scenarios']);
  console.log(`\nScenario suite: ${files.length} files (scenarios/), wall time`);
  for (const workers of [1, 2]) {
    const started = performance.now();
    const results = await runScenarios(files, { concurrency: workers });
    const seconds = (performance.now() - started) / 1000;
    const failed = results.filter((r) => !r.passed).length;
    console.log(`${workers} worker(s): ${seconds.toFixed(1)} s, ${results.length - failed} passed, ${failed} failed`);
  }
}
