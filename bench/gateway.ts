/**
 * `npm run bench -- gateway`: 1 KB PUT and GET throughput through the gateway against bare s3rver, in
 * the same run, with the same client settings (target: the gateway costs at most 1.15x); then 16
 * clients at once, mixing PUT, GET and ListObjectsV2 over 100 keys, against bare s3rver (reported).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { parseWorkspace } from '../core/workspace/index.ts';
import { startGatewayServer } from '../emulator/gateway/index.ts';

// 41 rounds: with 15, one run to the next varied by 0.25x on a 2-core VM (docs/durability.md).
const OPTIONS = { operations: 400, concurrency: 8, rounds: 41, bodyBytes: 1024, target: 1.15 };
/** The concurrent case: clients at once, operations each round, keys they share, rounds. */
const MIXED = { clients: 16, operations: 1600, keys: 100, rounds: 11 };
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

async function throughput(
  run: (i: number) => Promise<unknown>,
  { operations, concurrency } = { operations: OPTIONS.operations, concurrency: OPTIONS.concurrency },
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < operations) await run(next++);
    }),
  );
  return operations / ((performance.now() - started) / 1000);
}

/**
 * 16 clients at once over 100 shared keys: 45% PUT, 45% GET, 10% ListObjectsV2 of the round's prefix.
 * Failed operations are counted (bare s3rver answers some GETs racing a PUT of the same key with 500).
 */
async function measureMixed(clients: S3Client[], round: number, failures: { count: number }): Promise<number> {
  const key = (i: number) => `mixed${round}/k${(i * 7919) % MIXED.keys}`;
  for (let i = 0; i < MIXED.keys; i++)
    await clients[0]!.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(i), Body: body }));
  const operation = async (i: number) => {
    const s3 = clients[i % clients.length]!;
    const kind = i % 20;
    if (kind < 9) return s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(i), Body: body }));
    if (kind < 18) {
      const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key(i) }));
      return r.Body!.transformToByteArray();
    }
    return s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `mixed${round}/` }));
  };
  return throughput((i) => operation(i).catch(() => failures.count++), {
    operations: MIXED.operations,
    concurrency: MIXED.clients,
  });
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
                { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` },
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
  const bareClients = Array.from({ length: MIXED.clients }, () =>
    client(`http://127.0.0.1:${port}`, 'S3RVER', 'S3RVER'),
  );
  const gatewayClients = Array.from({ length: MIXED.clients }, () =>
    client(gateway.endpoint, 'AKIABENCH00000000001', 'benchSecret'),
  );
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
    await mixedRounds(bareClients, gatewayClients);
  } finally {
    for (const c of [...bareClients, ...gatewayClients]) c.destroy();
    bareClient.destroy();
    gatewayClient.destroy();
    await gateway.close();
    await bare.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function mixedRounds(bare: S3Client[], gateway: S3Client[]): Promise<void> {
  const failures = { bare: { count: 0 }, gateway: { count: 0 } };
  await measureMixed(bare, 0, failures.bare); // warm-up
  await measureMixed(gateway, 0, failures.gateway);
  const results = { bare: [] as number[], gateway: [] as number[] };
  for (let round = 1; round <= MIXED.rounds; round++) {
    const order = round % 2 ? (['bare', 'gateway'] as const) : (['gateway', 'bare'] as const);
    for (const side of order)
      results[side].push(await measureMixed(side === 'bare' ? bare : gateway, round, failures[side]));
  }
  const cost = median(results.bare.map((bareOps, i) => bareOps / results.gateway[i]!));
  console.log(
    `MIXED ${MIXED.clients} clients, 45% PUT / 45% GET / 10% LIST over ${MIXED.keys} keys, ${MIXED.rounds} paired rounds of ${MIXED.operations}: bare s3rver ${median(results.bare).toFixed(0)} operations/s (${failures.bare.count} failed)  gateway ${median(results.gateway).toFixed(0)} operations/s (${failures.gateway.count} failed)  gateway cost ${cost.toFixed(2)}x`,
  );
}

export const runGatewayBench = main;
