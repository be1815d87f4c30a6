/**
 * The `s3-harness` command. Exceptions become one clear line and an exit code here, nowhere else:
 * 0 success, 1 a check failed, 2 a usage error or an unreadable or invalid input file.
 */
import { EXIT, UsageError } from './usage-error.ts';

// Each command's module is loaded when it runs: `--help` and the small commands need neither the SDK,
// exceljs nor the server (npm run bench -- startup).
const USAGE = `Usage: s3-harness <command> [options]

Commands:
  init            write a starting project: a workspace, example files, a scenario, a test, a CI workflow
  start           start the embedded S3 endpoint behind the simulated IAM gateway
  run             start it, run a command against it (the endpoint and keys in its environment), stop it
  template-file   write a template's CSV header (the file users fill in)
  validate        check a filled-in file against a template, as an import would
  outbound        outbound preview: the key and first lines of each file a template would write
  deliveries      list outbound deliveries of a running harness, retry failed ones
  reimport        import a failed submission's object again (a running harness)
  preflight       what every integration will need from S3, and whether its account's policies allow it
  policy          the least-privilege IAM policy each connected account needs, checked, ready to attach
  mirror          write a workspace that reproduces a real AWS account's buckets and IAM user
  scenario        scenario run: run scenario suites, each on its own harness (JUnit XML for CI)

Run "s3-harness <command> --help" for a command's options; "s3-harness --version" for the version.`;

// The SDK warns that releases after January 2027 need Node 22; the lock file pins one that does not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { parseStartOptions, runStart, START_USAGE } = await import('./start.ts');
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
    case 'init':
      return (await import('./init.ts')).runInit(rest);
    case 'run':
      return (await import('./run.ts')).runRunCommand(rest);
    case 'template-file':
      return (await import('./template-file.ts')).runTemplateFile(rest);
    case 'validate':
      return (await import('./validate.ts')).runValidate(rest);
    case 'outbound':
      return (await import('./outbound.ts')).runOutbound(rest);
    case 'deliveries':
      return (await import('./deliveries.ts')).runDeliveries(rest);
    case 'reimport':
      return (await import('./reimport.ts')).runReimport(rest);
    case 'preflight':
      return (await import('./preflight.ts')).runPreflightCommand(rest);
    case 'policy':
      return (await import('./policy.ts')).runPolicyCommand(rest);
    case 'mirror':
      return (await import('./mirror.ts')).runMirrorCommand(rest);
    case 'scenario':
      return (await import('./scenario.ts')).runScenarioCommand(rest);
    case '--version':
    case '-v': {
      const [{ readFile }, { DEFAULTS }] = await Promise.all([import('node:fs/promises'), import('../defaults.ts')]);
      console.log((JSON.parse(await readFile(DEFAULTS.packageJson, 'utf8')) as { version: string }).version);
      return EXIT.ok;
    }
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
  async (error: unknown) => {
    const [{ WorkspaceFileError }, { StateFileError }] = await Promise.all([
      import('../workspace-file.ts'),
      import('../state-file.ts'),
    ]);
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
