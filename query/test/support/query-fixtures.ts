import { gzipSync } from 'node:zlib';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { awsClientConfig, KplAggregateBuilder } from '@kinlog/core';

const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'] as const;
const SITES = ['news.example', 'shop.example', 'blog.example'] as const;
const PAGES = ['/cart', '/checkout', '/home', '/search', '/login'] as const;

/** A web request event; id decides everything, so expected results can be recomputed. */
export interface WebEvent {
  readonly id: number;
  readonly time: string;
  readonly level: string;
  readonly status: number;
  readonly region: string;
  readonly page: string;
  readonly msg: string;
  readonly user: { readonly id: number; readonly plan: string };
  readonly ad: string;
  readonly site: string;
}

export function webEvent(id: number): WebEvent {
  const status = id % 7 === 0 ? 503 : id % 11 === 0 ? 500 : 200;
  return {
    id,
    time: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    level: status >= 500 ? 'error' : id % 13 === 0 ? 'error' : 'info',
    status,
    region: REGIONS[(id * 7 + Math.floor(id / 3)) % REGIONS.length]!,
    page: PAGES[(id * 3 + Math.floor(id / 5)) % PAGES.length]!,
    msg: `request ${id}`,
    user: { id: id % 17, plan: id % 2 === 0 ? 'free' : 'pro' },
    ad: `ad-${id % 4}`,
    site: SITES[Math.floor(id / 4) % SITES.length]!,
  };
}

export function kinesis(): KinesisClient {
  return new KinesisClient(awsClientConfig());
}

/**
 * Puts events `from..to-1`: most as plain JSON records, every 10th batch of five as one KPL
 * aggregate, and every 9th event gzipped, so all the decoder's paths are crossed.
 */
export async function putWebEvents(
  client: KinesisClient,
  stream: string,
  from: number,
  to: number,
): Promise<void> {
  const entries: { PartitionKey: string; Data: Uint8Array }[] = [];
  for (let id = from; id < to; id++) {
    const data = Buffer.from(JSON.stringify(webEvent(id)));
    if (id % 50 === 0 && id + 5 <= to) {
      const agg = new KplAggregateBuilder();
      for (let k = id; k < id + 5; k++)
        agg.add(`key-${id}`, Buffer.from(JSON.stringify(webEvent(k))));
      entries.push({ PartitionKey: `key-${id}`, Data: agg.build() });
      id += 4;
      continue;
    }
    entries.push({ PartitionKey: `key-${id}`, Data: id % 9 === 0 ? gzipSync(data) : data });
  }
  for (let i = 0; i < entries.length; i += 500) {
    const out = await client.send(
      new PutRecordsCommand({ StreamName: stream, Records: entries.slice(i, i + 500) }),
    );
    if ((out.FailedRecordCount ?? 0) > 0) throw new Error('put failed');
  }
}

let tables = 0;
export function freshTables(): { checkpointsTable: string; iterationsTable: string } {
  tables++;
  const suffix = `${process.pid}-${Date.now().toString(36)}-${tables}`;
  return { checkpointsTable: `qcp-${suffix}`, iterationsTable: `qit-${suffix}` };
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
