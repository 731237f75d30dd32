/**
 * A proxy in front of the local DynamoDB that answers BatchWriteItem as a throttled table does:
 * only part of each batch is passed on, the rest comes back as UnprocessedItems. DynamoDB does
 * this under load; the local emulator never does, so tests put this in front of it.
 *
 *   client ──▶ proxy ─┬─ BatchWriteItem: first `processed(n)` requests ─▶ upstream
 *                     │     ◀── its answer + UnprocessedItems = the others
 *                     └─ anything else ─▶ upstream, verbatim
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface BatchWriteBody {
  RequestItems: Record<string, unknown[]>;
}

export interface UnprocessedItemsProxy {
  readonly url: string;
  /** BatchWriteItem calls received, and requests in them. */
  readonly batches: { calls: number; requests: number };
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the proxy on a free loopback port.
 *
 * @param processed how many of a batch's `n` requests reach the table (the rest are unprocessed).
 */
export async function startUnprocessedItemsProxy(
  upstream: string,
  processed: (n: number) => number,
): Promise<UnprocessedItemsProxy> {
  const batches = { calls: 0, requests: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      let body = await bodyOf(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      let unprocessed: Record<string, unknown[]> = {};
      if (target.endsWith('.BatchWriteItem')) {
        const input = JSON.parse(body.toString('utf8')) as BatchWriteBody;
        const passed: Record<string, unknown[]> = {};
        for (const [table, requests] of Object.entries(input.RequestItems)) {
          batches.calls++;
          batches.requests += requests.length;
          const keep = processed(requests.length);
          passed[table] = requests.slice(0, keep);
          if (keep < requests.length) unprocessed[table] = requests.slice(keep);
        }
        const nonEmpty = Object.fromEntries(Object.entries(passed).filter(([, r]) => r.length > 0));
        if (Object.keys(nonEmpty).length === 0) {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ UnprocessedItems: unprocessed }));
          return;
        }
        body = Buffer.from(JSON.stringify({ ...input, RequestItems: nonEmpty }));
      } else {
        unprocessed = {};
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))
          headers[name] = value;
      }
      const answer = await fetch(upstream + (req.url ?? '/'), {
        method: req.method ?? 'POST',
        headers,
        body,
      });
      let text = await answer.text();
      if (Object.keys(unprocessed).length > 0 && answer.ok) {
        const out = JSON.parse(text) as { UnprocessedItems?: Record<string, unknown[]> };
        text = JSON.stringify({ ...out, UnprocessedItems: unprocessed });
      }
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0',
      });
      res.end(text);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
