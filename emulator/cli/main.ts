/**
 * The `s3-harness` command. Exceptions become one clear line and an exit code here, nowhere else:
 * 0 success, 1 a check failed, 2 a usage error or an unreadable or invalid input file.
 */
import { WorkspaceFileError } from '../workspace-file.ts';
import { parseStartOptions, runStart, START_USAGE } from './start.ts';
import { runDeliveries } from './deliveries.ts';
import { runOutbound } from './outbound.ts';
import { runPreflightCommand } from './preflight.ts';
import { runReimport } from './reimport.ts';
import { runScenarioCommand } from './scenario.ts';
import { runTemplateFile } from './template-file.ts';
import { runValidate } from './validate.ts';
import { StateFileError } from '../state-file.ts';
import { EXIT, UsageError } from './usage-error.ts';

const USAGE = `Usage: s3-harness <command> [options]

Commands:
  start           start the embedded S3 endpoint behind the simulated IAM gateway
  template-file   write a template's CSV header (the file users fill in)
  validate        check a filled-in file against a template, as an import would
  outbound        outbound preview: the key and first lines of each file a template would write
  deliveries      list outbound deliveries of a running harness, retry failed ones
  reimport        import a failed submission's object again (a running harness)
  preflight       what every integration will need from S3, and whether its account's policies allow it
  scenario        scenario run: run scenario suites, each on its own harness (JUnit XML for CI)

Run "s3-harness <command> --help" for a command's options.`;

// The SDK warns that releases after January 2027 need Node 22; the lock file pins one that does not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const options = parseStartOptions(rest);
      if (options === 'help') {
        console.log(START_USAGE);
        return EXIT.ok;
      }
      // Listen for Ctrl-C before starting, so a signal during start-up still stops cleanly.
      const stopRequested = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      // --json: stdout carries the ready line only; the log goes to stderr.
      const { stop, ready } = await runStart(options, options.json ? (line) => console.error(line) : console.log);
      if (options.json) console.log(JSON.stringify(ready));
      await stopRequested;
      (options.json ? console.error : console.log)('\nStopping...');
      await stop();
      return EXIT.ok;
    }
    case 'template-file':
      return runTemplateFile(rest);
    case 'validate':
      return runValidate(rest);
    case 'outbound':
      return runOutbound(rest);
    case 'deliveries':
      return runDeliveries(rest);
    case 'reimport':
      return runReimport(rest);
    case 'preflight':
      return runPreflightCommand(rest);
    case 'scenario':
      return runScenarioCommand(rest);
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "${command}" (run s3-harness --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof WorkspaceFileError) {
      console.error(`s3-harness: ${error.message}`);
      process.exit(EXIT.usage);
    }
    if (error instanceof StateFileError) {
      console.error(`s3-harness: ${error.message}`);
      process.exit(EXIT.failed);
    }
    console.error('s3-harness: unexpected error:', error);
    process.exit(EXIT.failed);
  },
);
