/**
 * `npm run bench`: 1 KB PUT and GET throughput through the gateway against bare s3rver, in the
 * same run, with the same client settings. Target: the gateway costs at most 1.25x.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { parseWorkspace } from '../core/workspace/index.ts';
import { startGatewayServer } from '../emulator/gateway/index.ts';

// 41 rounds: with 15, one run to the next varied by 0.25x on a 2-core VM (docs/durability.md).
const OPTIONS = { operations: 400, concurrency: 8, rounds: 41, bodyBytes: 1024, target: 1.25 };
const BUCKET = 'bench';
const body = Buffer.alloc(OPTIONS.bodyBytes, 'x');

function client(endpoint: string, accessKeyId: string, secretAccessKey: string): S3Client {
  // WHEN_REQUIRED on both sides: bare s3rver would store aws-chunked framing verbatim otherwise.
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function throughput(run: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: OPTIONS.concurrency }, async () => {
      while (next < OPTIONS.operations) await run(next++);
    }),
  );
  return OPTIONS.operations / ((performance.now() - started) / 1000);
}

async function measure(s3: S3Client, round: number): Promise<{ put: number; get: number }> {
  const key = (i: number) => `r${round}/k${i % 200}`;
  const put = await throughput((i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(i), Body: body })));
  const get = await throughput(async (i) => {
    const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key(i) }));
    await r.Body!.transformToByteArray();
  });
  return { put, get };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-bench-'));
  const bare = new S3rver({
    directory: join(dir, 'bare'),
    silent: true,
    port: 0,
    address: '127.0.0.1',
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await bare.run();
  const workspace = parseWorkspace({
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: BUCKET }],
    iam: {
      users: [
        {
          name: 'bench',
          accessKeyId: 'AKIABENCH00000000001',
          secretAccessKey: 'benchSecret',
          policies: [
            {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${BUCKET}/*` },
              ],
            },
          ],
        },
      ],
    },
  });
  if (!workspace.ok) throw new Error('bench workspace invalid');
  const gateway = await startGatewayServer({ workspace: workspace.value, dataDirectory: join(dir, 'gateway') });
  const bareClient = client(`http://127.0.0.1:${port}`, 'S3RVER', 'S3RVER');
  const gatewayClient = client(gateway.endpoint, 'AKIABENCH00000000001', 'benchSecret');
  try {
    await measure(bareClient, 0); // warm-up
    await measure(gatewayClient, 0);
    const results = {
      bare: { put: [] as number[], get: [] as number[] },
      gateway: { put: [] as number[], get: [] as number[] },
    };
    for (let round = 1; round <= OPTIONS.rounds; round++) {
      // Short rounds, alternating which side goes first, compared in pairs: a slow spell of the
      // machine (disk flushes, say) then weighs on both sides alike.
      const order = round % 2 ? (['bare', 'gateway'] as const) : (['gateway', 'bare'] as const);
      for (const side of order) {
        const r = await measure(side === 'bare' ? bareClient : gatewayClient, round);
        results[side].put.push(r.put);
        results[side].get.push(r.get);
      }
    }
    console.log(
      `1 KB objects, ${OPTIONS.rounds} paired rounds of ${OPTIONS.operations} operations, ${OPTIONS.concurrency} in flight; medians in operations/s`,
    );
    let worst = 0;
    for (const op of ['put', 'get'] as const) {
      const cost = median(results.bare[op].map((bareOps, i) => bareOps / results.gateway[op][i]!));
      worst = Math.max(worst, cost);
      console.log(
        `${op.toUpperCase().padEnd(4)} bare s3rver ${median(results.bare[op]).toFixed(0).padStart(6)}  gateway ${median(results.gateway[op]).toFixed(0).padStart(6)}  gateway cost ${cost.toFixed(2)}x (median of paired rounds)`,
      );
    }
    console.log(
      `worst gateway cost ${worst.toFixed(2)}x (target <= ${OPTIONS.target}x): ${worst <= OPTIONS.target ? 'met' : 'NOT met'}`,
    );
  } finally {
    bareClient.destroy();
    gatewayClient.destroy();
    await gateway.close();
    await bare.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const runGatewayBench = main;
