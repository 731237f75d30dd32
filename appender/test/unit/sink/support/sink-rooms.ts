import { asSinkError } from '../../../../src/sink/batch-sender.js';
import { ShardLanes } from '../../../../src/sink/shard-lanes.js';
import { ShardRouter, type RouterOptions } from '../../../../src/sink/shard-router.js';
import { SinkLedger, type KinesisSinkEvents } from '../../../../src/sink/sink-ledger.js';
import { resolveSinkOptions, type KinesisSinkOptions } from '../../../../src/sink/sink-options.js';
import { FakeClock } from './fake-clock.js';
import { FakePutRecords } from './fake-put-records.js';

/** Events a room emitted, in order. */
export type EmittedEvent = {
  [K in keyof KinesisSinkEvents]: { name: K; args: KinesisSinkEvents[K] };
}[keyof KinesisSinkEvents];

/**
 * The rooms every other room stands on (options, clock, fake client, lanes, books, router),
 * wired as the sink wires them, for one room's tests.
 */
export function sinkRooms(
  options: Partial<KinesisSinkOptions> = {},
  router: Partial<RouterOptions> = {},
) {
  const o = resolveSinkOptions({ streamName: 'logs', ...options });
  const clock = new FakeClock();
  const client = new FakePutRecords();
  const events: EmittedEvent[] = [];
  let released = 0;
  let pumps = 0;
  const ledger = new SinkLedger(
    (name, ...args) => events.push({ name, args } as EmittedEvent),
    () => released++,
  );
  const lanes = new ShardLanes(o);
  const routerRoom = new ShardRouter(
    {
      ...o,
      routed: o.aggregation || o.rateLimitFraction !== undefined,
      ...router,
    },
    lanes,
    ledger,
    clock,
    {
      listOpenShards: () => client.listOpenShards(),
      asError: (error) => asSinkError(error, client.target),
      pump: () => pumps++,
      closing: () => false,
    },
  );
  return {
    o,
    clock,
    client,
    events,
    ledger,
    lanes,
    router: routerRoom,
    get released() {
      return released;
    },
    get pumps() {
      return pumps;
    },
  };
}
