/** One S3 client per connected account and region, made on first use and closed when the engine stops. */
import type { AccountS3, OutboundS3 } from '../../core/s3/index.ts';
import type { Account } from '../../core/inbound/index.ts';
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
        s3 = createAccountS3(endpoint, account, region, options);
        clients.set(cacheKey, s3);
      }
      return s3;
    },
    destroy() {
      for (const s3 of clients.values()) s3.client.destroy();
      clients.clear();
    },
  };
}
