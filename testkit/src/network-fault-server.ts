/*
 * An HTTP endpoint that fails the way networks do, for tests that every AWS call of kinlog ends
 * in time. Each request is answered by the behaviour `plan(n)` picks (n counts from 0):
 *
 *   silent             accepts the connection, reads the request, never answers
 *   slow               answers 200 and headers, then the body at one byte per `slowByteMs`
 *   resetAfterHeaders  answers 200 and headers, then resets the connection
 *   garbage            writes bytes that are no HTTP at all, then closes
 *   throttle           a 400 ProvisionedThroughputExceededException (Kinesis and DynamoDB both)
 *   forward            passes the request to `upstream` (a local emulator) and its answer back
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, type LocalListener } from './kinesis-wire/listen-local.js';
import { readBody, sendAwsError } from './kinesis-wire/aws-json.js';
import { endToEndHeaders } from './fault-proxy/upstream-client.js';

/** How one request is answered. */
export const NetworkFaults = {
  silent: 'silent',
  slow: 'slow',
  resetAfterHeaders: 'resetAfterHeaders',
  garbage: 'garbage',
  throttle: 'throttle',
  forward: 'forward',
} as const;

/** One of {@link NetworkFaults}. */
export type NetworkFault = (typeof NetworkFaults)[keyof typeof NetworkFaults];

/** Options of {@link startNetworkFaultServer}. */
export interface NetworkFaultServerOptions {
  /** The behaviour for request n (from 0); a fixed one for every request. */
  readonly plan: NetworkFault | ((n: number) => NetworkFault);
  /** Where `forward` sends requests. */
  readonly upstream?: string;
  /** Pace of the `slow` body. */
  readonly slowByteMs?: number;
}

/** A running fault server. */
export interface NetworkFaultServer extends LocalListener {
  /** Requests received so far, by the behaviour they met. */
  readonly received: Record<NetworkFault, number>;
}

/** Defaults of {@link startNetworkFaultServer}. */
export const NetworkFaultDefaults = {
  HOST: '127.0.0.1',
  SLOW_BYTE_MS: 1_000,
  KEEP_ALIVE_TIMEOUT_MS: 5_000,
  /** Length the `slow` and `resetAfterHeaders` answers announce. */
  ANNOUNCED_BODY_BYTES: 1_000,
} as const;

/**
 * Starts a fault server on a free loopback port; `close()` ends every connection it holds.
 *
 * @example
 * ```ts
 * const silent = await startNetworkFaultServer({ plan: NetworkFaults.silent });
 * // kinlog analyze --endpoint silent.url … must still end
 * await silent.close();
 * ```
 */
export async function startNetworkFaultServer(
  options: NetworkFaultServerOptions,
): Promise<NetworkFaultServer> {
  const plan =
    typeof options.plan === 'function' ? options.plan : () => options.plan as NetworkFault;
  const slowByteMs = options.slowByteMs ?? NetworkFaultDefaults.SLOW_BYTE_MS;
  const received = Object.fromEntries(Object.values(NetworkFaults).map((f) => [f, 0])) as Record<
    NetworkFault,
    number
  >;
  const timers = new Set<NodeJS.Timeout>();
  let count = 0;
  const server = createServer((req, res) => {
    const fault = plan(count++);
    received[fault]++;
    void answer(fault, req, res).catch(() => res.destroy());
  });

  async function answer(
    fault: NetworkFault,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = await readBody(req);
    switch (fault) {
      case NetworkFaults.silent:
        return; // the socket stays open until the client gives up or the server closes
      case NetworkFaults.throttle:
        sendAwsError(res, 400, 'ProvisionedThroughputExceededException', 'Rate exceeded (test).');
        return;
      case NetworkFaults.garbage:
        res.socket?.end('\u0000\u0001not http at all\r\n\r\n');
        return;
      case NetworkFaults.resetAfterHeaders:
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': NetworkFaultDefaults.ANNOUNCED_BODY_BYTES,
        });
        res.flushHeaders();
        setImmediate(() => res.socket?.resetAndDestroy());
        return;
      case NetworkFaults.slow: {
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'content-length': NetworkFaultDefaults.ANNOUNCED_BODY_BYTES,
        });
        res.flushHeaders();
        const drip = setInterval(() => {
          if (res.destroyed) {
            clearInterval(drip);
            timers.delete(drip);
          } else res.write(' ');
        }, slowByteMs);
        timers.add(drip);
        return;
      }
      case NetworkFaults.forward:
        await forward(req, body, res);
        return;
    }
  }

  async function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (options.upstream === undefined) throw new Error('forward needs an upstream');
    const url = new URL(options.upstream);
    await new Promise<void>((resolve, reject) => {
      const up = request(
        {
          hostname: url.hostname,
          port: url.port,
          method: req.method,
          path: req.url,
          headers: {
            ...endToEndHeaders(req.headers),
            host: url.host,
            'content-length': body.length,
          },
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, endToEndHeaders(upRes.headers));
          upRes.pipe(res);
          upRes.on('end', resolve);
          upRes.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }

  const listener = await listenLocal(
    server,
    NetworkFaultDefaults.HOST,
    NetworkFaultDefaults.KEEP_ALIVE_TIMEOUT_MS,
    () => {
      for (const t of timers) clearInterval(t);
      timers.clear();
    },
  );
  return { ...listener, received };
}
