import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { KinesisWire } from '../kinesis-wire/aws-json.js';
import type { HashKeyRange } from '../kinesis-wire/hash-key-ranges.js';

/** A buffered HTTP answer from upstream. */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Hop-by-hop headers never copied between the two connections. */
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'proxy-connection',
  'upgrade',
]);

/** Headers with the hop-by-hop ones dropped. */
export function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

/** Page size of the proxy's own ListShards calls. */
const LIST_SHARDS_PAGE = 1000;

interface ListShardsPage {
  Shards?: {
    ShardId: string;
    HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
    SequenceNumberRange?: { EndingSequenceNumber?: string };
  }[];
  NextToken?: string;
}

/**
 * HTTP/1.1 keep-alive client to the upstream Kinesis (a local emulator). Bodies are forwarded
 * as the proxy rewrote them, so the client's SigV4 signature no longer matches: emulators do
 * not verify signatures, real AWS would.
 */
export class UpstreamClient {
  readonly #url: URL;
  readonly #agent = new Agent({ keepAlive: true });

  constructor(upstream: string) {
    this.#url = new URL(upstream);
  }

  /** Sends one request and buffers the answer. */
  send(
    method: string,
    path: string,
    headers: OutgoingHttpHeaders,
    body: Buffer,
  ): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          protocol: this.#url.protocol,
          hostname: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers: { ...headers, host: this.#url.host, 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Hash key ranges of the stream's open shards. `auth` carries the client's signature headers
   * (emulators want them present, not valid).
   */
  async listOpenShards(
    stream: { StreamName?: string; StreamARN?: string },
    auth: OutgoingHttpHeaders,
  ): Promise<HashKeyRange[]> {
    const ranges: HashKeyRange[] = [];
    let nextToken: string | undefined;
    do {
      const input = nextToken
        ? { NextToken: nextToken, MaxResults: LIST_SHARDS_PAGE }
        : { ...stream, MaxResults: LIST_SHARDS_PAGE };
      const res = await this.send(
        'POST',
        '/',
        {
          ...auth,
          'content-type': KinesisWire.CONTENT_TYPE,
          'x-amz-target': `${KinesisWire.TARGET_PREFIX}${KinesisWire.OPERATIONS.LIST_SHARDS}`,
        },
        Buffer.from(JSON.stringify(input)),
      );
      if (res.statusCode !== 200) {
        throw new Error(`ListShards answered ${res.statusCode}: ${res.body.toString()}`);
      }
      const page = JSON.parse(res.body.toString()) as ListShardsPage;
      for (const shard of page.Shards ?? []) {
        if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue;
        ranges.push({
          shardId: shard.ShardId,
          startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey),
          endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey),
        });
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return ranges;
  }

  /** Drops idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
