/**
 * Before any test: the compiled CLI (`dist/`, without types), so that tests which run `s3-harness` as a
 * child process run what an installed package runs, fresh from the sources, and start it in a tenth of
 * the time tsx takes (npm run bench -- startup).
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--no-types'], { stdio: 'inherit' });
}
