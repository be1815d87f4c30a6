/**
 * @aws-sdk/client-s3, loaded on first use. It is the largest module the emulator needs (about 130 ms
 * to load on a laptop): `start` answers before anything has called S3 through it, and a command that
 * makes no S3 call never loads it (npm run bench -- startup). The package is CommonJS, so `require`
 * gives the same module an `import` would, synchronously.
 */
import { createRequire } from 'node:module';
import type * as S3Sdk from '@aws-sdk/client-s3';

const require = createRequire(import.meta.url);
let loaded: typeof S3Sdk | undefined;

export function s3Sdk(): typeof S3Sdk {
  return (loaded ??= require('@aws-sdk/client-s3') as typeof S3Sdk);
}
