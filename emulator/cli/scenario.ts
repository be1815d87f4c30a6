/** `s3-harness scenario run`: the scenario suites, each on its own harness, for people and for CI. */
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { junitXml } from '../scenarios/junit.ts';
import { runScenarios } from '../scenarios/run-all.ts';
import { findScenarioFiles } from '../scenarios/scenario-files.ts';
import { formatResult } from '../scenarios/scenario-result.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const SCENARIO_USAGE = `Usage: s3-harness scenario run [PATHS...] [--junit FILE] [--bail] [--filter TEXT] [--workers N]
                             [--shard I/N]

Runs scenario files (*.json; default: the scenarios/ folder), each on its own harness with its own
data folder and free ports, as many at once as there are cores. Prints each result as it comes, what
differed for a failure, and "N passed, M failed". Exit 0 when every scenario passed, 1 when one
failed, 2 on a usage error. The format: docs/scenarios.md.

--junit FILE    also write JUnit XML for CI
--bail          start no more scenarios after the first failure
--filter TEXT   only scenarios whose name or file contains TEXT
--workers N     scenarios at once (default: the number of cores; --concurrency is the same)
--shard I/N     only the I-th of N shares of the files (1/3, 2/3, 3/3: N CI runners share a suite; the
                split is by file, in sorted order, the same on every machine)`;

/** `I/N`: the files whose position in sorted order is I-1 modulo N (round robin: shares differ by one at most). */
export function shardOf<T>(files: readonly T[], shard: string): T[] {
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard must be I/N with 1 <= I <= N, such as 2/3, got "${shard}"`);
  return files.filter((_, position) => position % count === index - 1);
}

export async function runScenarioCommand(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    console.log(SCENARIO_USAGE);
    return subcommand === undefined ? EXIT.usage : EXIT.ok;
  }
  if (subcommand !== 'run')
    throw new UsageError(`unknown scenario command "${subcommand}" (see s3-harness scenario --help)`);
  const parsed = commandArgs('scenario run', {
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      junit: { type: 'string' },
      bail: { type: 'boolean' },
      filter: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      shard: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(SCENARIO_USAGE);
    return EXIT.ok;
  }
  const workersText = values.workers ?? values.concurrency;
  const concurrency = workersText === undefined ? undefined : Number(workersText);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new UsageError(`--workers must be a whole number of at least 1, got "${workersText}"`);
  let files: string[];
  try {
    files = await findScenarioFiles(positionals.length ? positionals : ['scenarios']);
  } catch (error) {
    throw new UsageError(`cannot read the scenarios: ${(error as Error).message}`);
  }
  const all = files.length;
  if (values.shard !== undefined) {
    files = shardOf(files, values.shard);
    console.log(`Shard ${values.shard}: ${files.length} of ${all} scenario file(s)`);
    // A share with nothing to run checked nothing: said, and not a success.
    if (files.length === 0)
      throw new UsageError(
        `shard ${values.shard} has no scenario file: the suite has ${all}, so use at most ${all} shard(s)`,
      );
  }
  const workers = Math.min(concurrency ?? availableParallelism(), files.length);
  console.log(
    `Found ${files.length} scenario file(s)${values.filter !== undefined ? `; running those matching "${values.filter}"` : ''}, ${workers} at a time\n`,
  );
  const skipped = { filter: 0, bail: 0 };
  const results = await runScenarios(files, {
    ...(values.filter !== undefined ? { filter: values.filter } : {}),
    ...(values.bail ? { bail: true } : {}),
    ...(concurrency ? { concurrency } : {}),
    onResult: (result) => console.log(formatResult(result)),
    onSkipped: (_file, reason) => skipped[reason]++,
  });
  if (results.length === 0)
    throw new UsageError(
      values.filter ? `no scenario matches "${values.filter}" (in ${files.length} file(s))` : 'no scenario files found',
    );
  if (values.junit) await writeFile(values.junit, junitXml(results));
  const failed = results.filter((r) => !r.passed).length;
  const notRun = [
    skipped.bail ? `${skipped.bail} not run (--bail stopped after a failure)` : '',
    skipped.filter ? `${skipped.filter} not matching --filter` : '',
  ].filter(Boolean);
  console.log(`\n${results.length - failed} passed, ${failed} failed${notRun.length ? `; ${notRun.join(', ')}` : ''}`);
  return failed ? EXIT.failed : EXIT.ok;
}
