import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import { LeaseWorker, type LeaseWorkerOptions } from '../../src/lease/lease-worker.js';
import { KinesisShardSource } from '../../src/stream/kinesis-shard-source.js';
import { freshTables } from './stream-fixtures.js';

/** Fresh checkpoint and lease tables on the local DynamoDB, and a shard source. */
export interface LeaseTables {
  /** The checkpoint and iteration tables' names. */
  readonly names: { readonly checkpointsTable: string; readonly iterationsTable: string };
  readonly store: DynamoCheckpointStore;
  readonly leases: DynamoLeaseStore;
  readonly leasesTable: string;
  readonly source: KinesisShardSource;
}

/** Creates fresh checkpoint and lease tables (through `ddb`) and a shard source. */
export async function leaseTables(ddb: DynamoDBClient): Promise<LeaseTables> {
  const names = freshTables();
  const store = new DynamoCheckpointStore(names);
  await store.createTables();
  const leasesTable = `leases-${names.iterationsTable}`;
  const leases = new DynamoLeaseStore({ client: ddb, leasesTable });
  await leases.createTable();
  return { names, store, leases, leasesTable, source: new KinesisShardSource() };
}

/** What a test worker is told: failover, polls and call pacing short enough for tests. */
const TEST_WORKER = {
  name: 'web',
  failoverMs: 1_500,
  pollIntervalMs: 50,
  minCallIntervalMs: 0,
  topN: 20,
} as const;

/** A lease worker on `tables` for `stream`, with test timings unless `options` say otherwise. */
export function testLeaseWorker(
  tables: LeaseTables,
  stream: string,
  workerId: string,
  options: Partial<LeaseWorkerOptions> = {},
): LeaseWorker {
  const { store, leases, source } = tables;
  return new LeaseWorker({
    ...TEST_WORKER,
    stream,
    source,
    store,
    leases,
    workerId,
    ...options,
  });
}
