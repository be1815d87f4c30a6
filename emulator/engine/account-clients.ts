/**
 * One S3 client per connected account and region, made on first use and closed when the engine stops:
 * with the account's keys through the gateway, or, for a remote account, with credentials from the AWS
 * provider chain at its own endpoint (AWS itself when it names none).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { AccountS3, OutboundS3 } from '../../core/s3/index.ts';
import type { Account } from '../../core/inbound/index.ts';
import { clientWithKeys, QUIET_LOGGER } from '../s3-client.ts';
import { s3Sdk } from '../s3-sdk.ts';
import { createAccountS3 } from './account-s3.ts';

export type EngineS3 = AccountS3 & OutboundS3;

export interface AccountClients {
  s3For(accountName: string, region: string): EngineS3;
  destroy(): void;
}

export function createAccountClients(
  accounts: readonly Account[],
  endpoint: string,
  options: { spoolDirectory: string },
): AccountClients {
  const clients = new Map<string, ReturnType<typeof createAccountS3>>();
  return {
    s3For(accountName, region) {
      const cacheKey = `${accountName}|${region}`;
      let s3 = clients.get(cacheKey);
      if (!s3) {
        const account = accounts.find((a) => a.name === accountName);
        if (!account) throw new Error(`no account "${accountName}" in the workspace`);
        s3 = createAccountS3(
          () => (account.remote ? remoteClient(account.remote, region) : clientWithKeys(endpoint, region, account)),
          options,
        );
        clients.set(cacheKey, s3);
      }
      return s3;
    },
    destroy() {
      for (const s3 of clients.values()) s3.destroy();
      clients.clear();
    },
  };
}

/** A remote account's client: the provider chain's credentials (its profile), retries as the SDK does against a real service. */
function remoteClient(remote: NonNullable<Account['remote']>, region: string): S3Client {
  return new (s3Sdk().S3Client)({
    region,
    ...(remote.endpoint ? { endpoint: remote.endpoint, forcePathStyle: true } : {}),
    ...(remote.profile ? { profile: remote.profile } : {}),
    logger: QUIET_LOGGER,
  });
}
