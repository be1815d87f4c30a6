/** Serves the gateway on a loopback socket. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../defaults.ts';
import { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';

export interface GatewayServerOptions extends GatewayOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
}

export interface RunningGateway {
  gateway: Gateway;
  server: Server;
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  close(): Promise<void>;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<RunningGateway> {
  const { host = DEFAULTS.host, port = 0, ...gatewayOptions } = options;
  const gateway = await createGateway(gatewayOptions);
  const server = createServer(gateway.handle);
  server.on('checkContinue', gateway.handleExpectingContinue);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    gateway,
    server,
    endpoint: `http://${shownHost}:${address.port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.close();
    },
  };
}
