import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import type * as NodeHttpHandlerModule from '@smithy/node-http-handler';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { sdkDefaultRegion } from './sdk-default-region.js';
import { UnrefHttpHandler } from './unref-http-handler.js';

// CommonJS, so required rather than imported (an import makes Node parse it for its exports).
const http = createRequire(import.meta.url)(
  '@smithy/node-http-handler',
) as typeof NodeHttpHandlerModule;

/** Where and how an AWS SDK client connects. */
export interface AwsConnectionOptions {
  /**
   * AWS region. Without it, the AWS SDK's own resolution: `AWS_REGION`, the profile's region
   * (`AWS_PROFILE`, ~/.aws/config or `AWS_CONFIG_FILE`), instance metadata; none is a `ConfigError`.
   */
  region?: string;
  /**
   * Endpoint override, e.g. a local Kinesis at `http://127.0.0.1:4567`. Without it the SDK uses
   * its own resolution (which honours `AWS_ENDPOINT_URL_KINESIS` / `AWS_ENDPOINT_URL_DYNAMODB`).
   */
  endpoint?: string;
  /** Upper bound of parallel sockets; keep it ≥ the number of requests in flight. */
  maxSockets?: number;
  /**
   * Bound of one HTTP request, from sending it to the answer's headers: past it the request is
   * destroyed and fails with a `TimeoutError` (not only a warning, the handler's default).
   */
  requestTimeoutMs?: number;
  /** Bound of the TCP (and TLS) connection set-up. */
  connectionTimeoutMs?: number;
  /**
   * `false` for a client inside a host application (the log transports): requests in flight
   * then never keep the process alive ({@link UnrefHttpHandler}; the caller bounds each call).
   * Default `true`.
   */
  keepProcessAlive?: boolean;
  /** Static credentials; otherwise the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** Defaults for {@link awsClientConfig}. */
export const AwsClientDefaults = {
  MAX_SOCKETS: 50,
  REQUEST_TIMEOUT_MS: 30_000,
  CONNECTION_TIMEOUT_MS: 5_000,
  KEEP_ALIVE_MS: 1_000,
} as const;

/** The subset of SDK client configuration kinlog sets. */
export interface AwsClientConfig {
  region: string | (() => Promise<string>);
  endpoint?: string;
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
  credentials?: AwsConnectionOptions['credentials'];
}

/**
 * SDK client configuration with an HTTP/1.1 keep-alive handler. The Kinesis client's default
 * HTTP/2 handler fails against local emulators, and HTTP/1.1 is fine on AWS for everything but
 * SubscribeToShard. SDK-level retries are off (`maxAttempts: 1`): kinlog retries itself, so
 * it can retry only failed entries and count every attempt.
 *
 * @example
 * ```ts
 * const kinesis = new KinesisClient(awsClientConfig({ endpoint: 'http://127.0.0.1:4567' }));
 * ```
 */
export function awsClientConfig(options: AwsConnectionOptions = {}): AwsClientConfig {
  const maxSockets = options.maxSockets ?? AwsClientDefaults.MAX_SOCKETS;
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: AwsClientDefaults.KEEP_ALIVE_MS,
    maxSockets,
  };
  const config: AwsClientConfig = {
    region: options.region ?? sdkDefaultRegion(),
    requestHandler:
      options.keepProcessAlive === false
        ? // The SDK calls only what both handlers have: handle, destroy and the config hooks.
          (new UnrefHttpHandler({
            httpAgent: new HttpAgent(agentOptions),
            httpsAgent: new HttpsAgent(agentOptions),
            connectionTimeoutMs:
              options.connectionTimeoutMs ?? AwsClientDefaults.CONNECTION_TIMEOUT_MS,
          }) as unknown as NodeHttpHandler)
        : new http.NodeHttpHandler({
            httpAgent: new HttpAgent(agentOptions),
            httpsAgent: new HttpsAgent(agentOptions),
            connectionTimeout:
              options.connectionTimeoutMs ?? AwsClientDefaults.CONNECTION_TIMEOUT_MS,
            requestTimeout: options.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS,
            // Without it a passed requestTimeout only prints a warning and the request hangs on.
            throwOnRequestTimeout: true,
          }),
    maxAttempts: 1,
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}
