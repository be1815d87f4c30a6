/**
 * The scenario suite in scenarios/, one vitest test per scenario, run by the real runner (each on its
 * own harness). A failure prints what the CLI would: the step and what differed.
 */
import { describe, expect, it } from 'vitest';
import { formatResult } from '../../emulator/scenarios/scenario-result.ts';
import { loadScenarioFile } from '../../emulator/scenarios/load-scenario.ts';
import { findScenarioFiles } from '../../emulator/scenarios/scenario-files.ts';
import { runScenario } from '../../emulator/scenarios/run-scenario.ts';

// The project's suite, and the one `s3-harness init` writes into a new project.
const files = await findScenarioFiles(['scenarios', 'fixtures/starter/s3-harness/scenarios']);

describe('scenarios/ and the starter project', () => {
  it('holds the suite', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  it.concurrent.each(files)('%s', async (file) => {
    const result = await runScenario(await loadScenarioFile(file));
    if (!result.passed) expect.fail(`${formatResult(result)}\n\nharness log:\n${result.logs.join('\n')}`);
  });
});
