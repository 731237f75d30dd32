import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test server listening on a free loopback port. */
export interface LocalListener {
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops keep-alive sockets; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts `server` on a free port of `host` and gives it an idempotent close that also drops
 * idle keep-alive connections (a test must not wait for clients' sockets to time out).
 *
 * @example
 * ```ts
 * const { url, close } = await listenLocal(createServer(handler), '127.0.0.1', 5_000);
 * ```
 */
export async function listenLocal(
  server: Server,
  host: string,
  keepAliveTimeoutMs: number,
  onClose: () => void = () => {},
): Promise<LocalListener> {
  server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        onClose();
      });
      return closing;
    },
  };
}
