// The merge of one iteration's per-shard partials, as the merging worker does it:
//
//   64 shards × PartialLimits.MAX_KEYS keys (the most a partial lists), 40 % of keys shared
//   between shards ─▶ encodePartial (gzip) ─▶ decodePartial ─▶ PartialMerger.add, one partial
//   at a time ─▶ finish (top 50)
//
// Prints the compressed size of one partial, the time of decode + merge and the memory it added
// (JS heap and ArrayBuffers, peak over the run)
// (targets: under 1 s and under 50 MB), median and spread over RUNS runs.
import { TopNAggregator } from '../src/aggregate/top-n-aggregator.js';
import { SIGNATURE_RULES_VERSION } from '../src/classify/message-signature.js';
import { FORMAT_DETECTOR_VERSION } from '@kinlog/core';
import { DecodedFormatNames, type DecodeFormatCounts } from '../src/decode/record-decoder.js';
import { PartialMerger } from '../src/lease/merge-partials.js';
import { decodePartial, encodePartial, PartialLimits } from '../src/lease/shard-partial.js';
import { StopReasons } from '../src/stream/shard-reader.js';

const SHARDS = Number(process.env.BENCH_SHARDS ?? 64);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEYS = Math.min(
  Number(process.env.BENCH_KEYS ?? PartialLimits.MAX_KEYS),
  PartialLimits.MAX_KEYS,
);
const SHARED_KEYS = Math.floor(KEYS * 0.4);
const zeroCounts = Object.fromEntries(DecodedFormatNames.map((f) => [f, 0])) as DecodeFormatCounts;

function partialBytes(shard: number): Uint8Array {
  const aggregator = new TopNAggregator({ maxDistinctKeys: KEYS });
  for (let k = 0; k < KEYS; k++) {
    const key = k < SHARED_KEYS ? k : shard * KEYS + k;
    const times = 1 + ((key * 7) % 5);
    for (let t = 0; t < times; t++) {
      aggregator.add(
        {
          kind: 'error5xx',
          region: ['eu-west-1', 'us-east-1', 'ap-south-1'][key % 3]!,
          page: `/api/v1/items/${key}/details`,
          signature: `503 Service Unavailable ${t % 2}`,
        },
        `{"level":"error","status":503,"page":"/api/v1/items/${key}/details"}`,
        1_700_000_000_000 + key,
      );
    }
  }
  return encodePartial({
    iteration: 1,
    stream: 'logs',
    window: {
      shardId: `shardId-${String(shard).padStart(12, '0')}`,
      parentShardIds: [],
      records: KEYS,
      closed: false,
      stopReason: StopReasons.caughtUp,
    },
    decode: {
      records: KEYS,
      events: KEYS,
      gzipPayloads: 0,
      kplAggregates: 0,
      undecodable: 0,
      misplaced: 0,
    },
    formats: {
      detectorVersion: FORMAT_DETECTOR_VERSION,
      parser: 'auto',
      counts: { ...zeroCounts, json: KEYS },
    },
    snapshot: aggregator.snapshot(),
    signatureRulesVersion: SIGNATURE_RULES_VERSION,
  });
}

const stored = Array.from({ length: SHARDS }, (_, s) => partialBytes(s));
const ms: number[] = [];
const heapMb: number[] = [];
for (let run = 0; run < RUNS; run++) {
  globalThis.gc?.();
  // The merge keeps its columns in typed arrays, outside the JS heap: both are counted.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const heapBefore = used();
  let heapPeak = heapBefore;
  const started = performance.now();
  // As the merging worker does: one partial decoded at a time, in cut order.
  const merger = new PartialMerger();
  for (const bytes of stored) {
    merger.add(decodePartial(bytes));
    heapPeak = Math.max(heapPeak, used());
  }
  const merged = merger.finish({ topN: 50 });
  heapPeak = Math.max(heapPeak, used());
  ms.push(performance.now() - started);
  heapMb.push((heapPeak - heapBefore) / 1e6);
  if (merged.result.rows.length !== 50) throw new Error('merge lost rows');
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
process.stdout.write(
  `merge of ${SHARDS} partials × ${KEYS} keys (one partial ${(stored[0]!.length / 1024).toFixed(0)} KB gzip'd):\n` +
    `  decode + merge ms:            ${fmt(ms)}\n  heap + ArrayBuffers added MB: ${fmt(heapMb)}\n`,
);
