/*
 * An HTTP/1.1 request handler for SDK clients inside a host application (the log transports):
 * nothing it holds keeps the process alive. The SDK's NodeHttpHandler arms referenced timers for
 * every request (request, connection, keep-alive and socket-warning timers), so an app whose
 * Kinesis accepts connections and never answers could not end until they ran out; here the
 * socket of a request in flight is unreferenced and the only timer (connection set-up) too.
 *
 *   app's last line ─▶ event loop runs dry (requests in flight do not count) ─▶ 'beforeExit'
 *        ─▶ the sink drains within shutdownTimeoutMs (its own referenced timer) ─▶ exit
 *
 * The whole call is bounded by withRequestDeadline (the caller's), not by a timer here.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';

/** The parts of the SDK's HTTP request this handler reads. */
interface SdkHttpRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** What the SDK's deserializers read of an answer. */
interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: IncomingMessage;
}

/** Options of {@link UnrefHttpHandler}. */
export interface UnrefHttpHandlerOptions {
  readonly httpAgent: HttpAgent;
  readonly httpsAgent: HttpsAgent;
  /** Bound of the TCP (and TLS) connection set-up. */
  readonly connectionTimeoutMs: number;
}

/**
 * A `requestHandler` for AWS SDK v3 clients whose sockets and timers never hold the process.
 *
 * @example
 * ```ts
 * new KinesisClient({ requestHandler: new UnrefHttpHandler({ httpAgent, httpsAgent, connectionTimeoutMs: 5_000 }) });
 * ```
 */
export class UnrefHttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly options: UnrefHttpHandlerOptions;

  constructor(options: UnrefHttpHandlerOptions) {
    this.options = options;
  }

  handle(
    request: SdkHttpRequest,
    { abortSignal }: { abortSignal?: AbortSignal } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    return new Promise((resolve, reject) => {
      if (abortSignal?.aborted === true) {
        reject(abortError());
        return;
      }
      const https = request.protocol === 'https:';
      const query = queryString(request.query);
      const req = (https ? httpsRequest : httpRequest)(
        {
          host: request.hostname.replace(/^\[(.*)\]$/, '$1'),
          ...(request.port === undefined ? {} : { port: request.port }),
          method: request.method,
          path: query === '' ? request.path : `${request.path}?${query}`,
          headers: request.headers,
          agent: https ? this.options.httpsAgent : this.options.httpAgent,
        },
        (res) => {
          clearTimeout(connecting);
          resolve({
            response: {
              statusCode: res.statusCode ?? -1,
              ...(res.statusMessage === undefined ? {} : { reason: res.statusMessage }),
              headers: flatHeaders(res.headers),
              body: res,
            },
          });
        },
      );
      const connecting = setTimeout(() => {
        req.destroy(
          Object.assign(new Error(`no connection within ${this.options.connectionTimeoutMs} ms`), {
            name: 'TimeoutError',
            code: 'ETIMEDOUT',
          }),
        );
      }, this.options.connectionTimeoutMs);
      connecting.unref();
      req.on('socket', (socket) => {
        // Referenced again by the agent for each request it carries: unreferenced here.
        socket.unref();
        if (socket.connecting) socket.once('connect', () => clearTimeout(connecting));
        else clearTimeout(connecting);
      });
      req.on('error', (err) => {
        clearTimeout(connecting);
        reject(err);
      });
      if (abortSignal !== undefined) {
        const onAbort = (): void => {
          req.destroy();
          reject(abortError());
        };
        abortSignal.addEventListener('abort', onAbort, { once: true });
        req.once('close', () => abortSignal.removeEventListener('abort', onAbort));
      }
      writeBody(req, request.body);
    });
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.options.httpAgent.destroy();
    this.options.httpsAgent.destroy();
  }
}

function writeBody(
  req: NodeJS.WritableStream & { end: (chunk?: unknown) => void },
  body: unknown,
): void {
  if (body === undefined || body === null) req.end();
  else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
  else if (typeof (body as Readable).pipe === 'function') (body as Readable).pipe(req);
  else req.end(body);
}

function queryString(query: SdkHttpRequest['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else params.append(key, value ?? '');
  }
  return params.toString();
}

function flatHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}
