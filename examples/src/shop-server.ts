/*
 * An Express-style app on node:http: one logging "middleware" wraps every handler and logs the
 * finished request through winston; kinlog's KinesisTransport ships each line to Kinesis.
 *
 *   request ─▶ route handler ─▶ res 'finish' ─▶ logger.log(level, msg, { path, status, … })
 *                                                   └─▶ KinesisTransport ─▶ PutRecords
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type winston from 'winston';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The routes of the example shop; `/checkout` fails while the payment gateway is down. */
const ROUTES: Readonly<Record<string, Handler>> = {
  '/': (_req, res) => res.end('welcome'),
  '/cart': (_req, res) => res.end('[]'),
  '/checkout': (_req, res) => {
    res.statusCode = 503;
    res.end('payment gateway unavailable');
  },
};

/**
 * A small HTTP app that logs every request it served (method, path, status, latency, region from
 * a CDN header) through the given winston logger.
 *
 * @example
 * ```ts
 * const logger = createShopLogger({ streamName: 'app-logs' });
 * createShopServer(logger).listen(8080);
 * ```
 */
export function createShopServer(logger: winston.Logger): Server {
  return createServer((req, res) => {
    const startedMs = Date.now();
    res.on('finish', () => {
      const status = res.statusCode;
      logger.log(
        status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
        `${req.method ?? 'GET'} ${req.url ?? '/'} ${status}`,
        {
          method: req.method,
          path: req.url,
          status,
          latencyMs: Date.now() - startedMs,
          region: headerValue(req, 'x-region'),
          clientIp: req.socket.remoteAddress,
        },
      );
    });
    const route = ROUTES[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (route === undefined) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    route(req, res);
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
