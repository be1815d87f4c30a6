/**
 * An SDK client with someone's keys, pointed at the gateway, as the engine, the web UI and the
 * scenario runner call it: path-style, one attempt (a refusal is an answer, not a fault to retry),
 * and quiet (failures are data; the SDK would otherwise warn on the console about failed streamed PUTs).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Workspace } from '../core/workspace/index.ts';
import { s3Sdk } from './s3-sdk.ts';

/** An SDK logger that says nothing: failures are data here, never console warnings. */
export const QUIET_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function clientWithKeys(
  endpoint: string,
  region: string,
  keys: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  return new (s3Sdk().S3Client)({
    endpoint,
    region,
    forcePathStyle: true,
    maxAttempts: 1,
    logger: QUIET_LOGGER,
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
  });
}

export interface UserClients {
  /** The user's client, made on first use. */
  client(userName: string): S3Client;
  /** Closes every client made. */
  destroy(): void;
}

/**
 * One client per IAM user of a workspace (the scenario runner's steps, the Node API's `client()`);
 * a name the workspace does not have is the error `unknownUser` makes of the message.
 */
export function userClients(
  workspace: Pick<Workspace, 'iam' | 'region'>,
  endpoint: string,
  unknownUser: (message: string) => Error = (message) => new Error(message),
): UserClients {
  const clients = new Map<string, S3Client>();
  return {
    client(userName) {
      let client = clients.get(userName);
      if (!client) {
        const user = workspace.iam.users.find((u) => u.name === userName);
        if (!user)
          throw unknownUser(
            `no user "${userName}" in the workspace (its users: ${workspace.iam.users.map((u) => `"${u.name}"`).join(', ')})`,
          );
        client = clientWithKeys(endpoint, workspace.region, user);
        clients.set(userName, client);
      }
      return client;
    },
    destroy() {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}
