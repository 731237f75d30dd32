import { gunzipSync, gzipSync } from 'node:zlib';
import { FORMAT_DETECTOR_VERSION } from '@kinlog/core';
import { expect } from 'chai';
import { TopNAggregator } from '../../../src/aggregate/top-n-aggregator.js';
import type { TopNResult } from '../../../src/aggregate/top-n-result.js';
import type { ClassifiedEvent, EventKind } from '../../../src/classify/classify-event.js';
import { SIGNATURE_RULES_VERSION } from '../../../src/classify/message-signature.js';
import { DecodedFormatNames, type DecodeFormatCounts } from '../../../src/decode/record-decoder.js';
import { CorruptItemError } from '../../../src/errors.js';
import { mergePartials } from '../../../src/lease/merge-partials.js';
import {
  decodePartial,
  encodePartial,
  PARTIAL_FORMAT,
  pageAt,
  PartialLimits,
  type ShardPartial,
} from '../../../src/lease/shard-partial.js';
import { StopReasons } from '../../../src/stream/shard-reader.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const KINDS: EventKind[] = ['error5xx', 'error4xx', 'errorLevel'];
const NO_DECODE = {
  records: 0,
  events: 0,
  gzipPayloads: 0,
  kplAggregates: 0,
  undecodable: 0,
  misplaced: 0,
};

function zeroCounts(): DecodeFormatCounts {
  return Object.fromEntries(DecodedFormatNames.map((f) => [f, 0])) as DecodeFormatCounts;
}

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Fed {
  readonly event: ClassifiedEvent;
  readonly line: string;
  readonly timeMs: number;
}

/** Events of `shards` shards over `keys` keys (Zipf-like), ≤ 5 signatures per key, some ok. */
function makeShards(shards: number, perShard: number, keys: number, seed: number): Fed[][] {
  const next = random(seed);
  return Array.from({ length: shards }, (_, s) =>
    Array.from({ length: perShard }, (_, i): Fed => {
      const k = Math.floor(keys * next() ** 2);
      if (next() < 0.2) {
        return { event: { kind: 'ok', region: '', page: '', signature: '' }, line: '', timeMs: 0 };
      }
      return {
        event: {
          kind: KINDS[k % 3]!,
          region: ['EU', 'US', 'AP', 'Ünïcode'][k % 4]!,
          page: `/p/${k}`,
          signature: `sig ${k % 7} ${Math.floor(next() * 5)}`,
        },
        line: `{"shard":${s},"i":${i},"k":${k}}`,
        timeMs: T0 + Math.floor(next() * 1e6),
      };
    }),
  );
}

function partialOf(
  shardId: string,
  events: readonly Fed[],
  options: {
    maxDistinctKeys?: number;
    maxKeys?: number;
    maxGzipBytes?: number;
    detectorVersion?: number;
  } = {},
): Uint8Array {
  const aggregator = new TopNAggregator(
    options.maxDistinctKeys === undefined ? {} : { maxDistinctKeys: options.maxDistinctKeys },
  );
  for (const f of events) aggregator.add(f.event, f.line, f.timeMs);
  return encodePartial(
    {
      iteration: 2,
      stream: 'logs',
      window: {
        shardId,
        parentShardIds: [],
        records: events.length,
        closed: false,
        stopReason: StopReasons.caughtUp,
      },
      decode: { ...NO_DECODE, records: events.length, events: events.length },
      formats: {
        detectorVersion: options.detectorVersion ?? FORMAT_DETECTOR_VERSION,
        parser: 'auto',
        counts: {
          ...zeroCounts(),
          json: Math.max(0, events.length - 1),
          raw: Math.min(1, events.length),
        },
      },
      snapshot: aggregator.snapshot(),
      signatureRulesVersion: SIGNATURE_RULES_VERSION,
    },
    options,
  );
}

function trueCounts(shards: readonly (readonly Fed[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const shard of shards) {
    for (const { event } of shard) {
      if (event.kind === 'ok') continue;
      const key = `${event.region}\u0000${event.page}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe('shard partials', () => {
  it('merged exact partials equal one aggregator over every shard in cut order', () => {
    // Fewer keys than detail rows: every partial carries every key's signatures and example.
    const shards = makeShards(8, 2_000, PartialLimits.DETAIL_ROWS - 10, 7);
    const whole = new TopNAggregator();
    for (const shard of shards) for (const f of shard) whole.add(f.event, f.line, f.timeMs);
    const previous: TopNResult = whole.result(50);
    const decoded = shards.map((events, i) =>
      decodePartial(partialOf(`shardId-${i}`, events), `shard ${i}`),
    );
    expect(decoded.every((p) => !p.bounded && p.errorBound === 0)).to.equal(true);
    for (const topN of [1, 10, 50]) {
      const merged = mergePartials(decoded, { topN, previous });
      expect(merged.result).to.deep.equal(whole.result(topN, previous));
      expect(merged.boundedShards).to.deep.equal([]);
    }
    const merged = mergePartials(decoded, { topN: 10 });
    expect(merged.window.map((w) => w.shardId)).to.deep.equal(shards.map((_, i) => `shardId-${i}`));
    expect(merged.decode.records).to.equal(8 * 2_000);
  });

  it('with more keys than detail rows, counts stay exact and signature counts are lower bounds', () => {
    const shards = makeShards(8, 2_000, 300, 7);
    const whole = new TopNAggregator();
    for (const shard of shards) for (const f of shard) whole.add(f.event, f.line, f.timeMs);
    const decoded = shards.map((events, i) => decodePartial(partialOf(`shardId-${i}`, events)));
    const merged = mergePartials(decoded, { topN: 50 }).result;
    const want = whole.result(50);
    expect(merged.totals).to.deep.equal(want.totals);
    expect(merged.bounded).to.equal(false);
    const strip = (r: TopNResult) =>
      r.rows.map(({ signatures: _s, example: _e, ...counts }) => counts);
    expect(strip(merged)).to.deep.equal(strip(want));
    merged.rows.forEach((row, i) => {
      const exact = new Map(want.rows[i]!.signatures.map((s) => [s.signature, s.count]));
      for (const s of row.signatures) expect(s.count).to.be.at.most(exact.get(s.signature) ?? 0);
      expect(row.example).to.not.equal('');
    });
  });

  it('stores the key history one aggregator would: every key counted, or a filter of them all', () => {
    for (const keys of [1_500, 6_000]) {
      const shards = makeShards(4, 6_000, keys, 21);
      const whole = new TopNAggregator();
      for (const shard of shards) for (const f of shard) whole.add(f.event, f.line, f.timeMs);
      const decoded = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
      const merged = mergePartials(decoded, { topN: 10 }).result;
      expect(merged.keyHistory).to.not.equal(undefined);
      expect(merged.keyHistory).to.deep.equal(whole.result(10).keyHistory);
    }
  });

  it('the merge does not depend on which partial arrives first, only on the cut order given', () => {
    const shards = makeShards(5, 500, 80, 11);
    const decoded = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
    const once = mergePartials(decoded, { topN: 20 });
    // Encoding again (another worker reading the same shard) gives the same bytes.
    const again = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
    expect(mergePartials(again, { topN: 20 })).to.deep.equal(once);
    // Counts and totals do not depend on the order at all.
    const reversed = mergePartials([...decoded].reverse(), { topN: 20 }).result;
    expect(reversed.totals).to.deep.equal(once.result.totals);
    expect(reversed.rows.map((r) => [r.region, r.page, r.count])).to.deep.equal(
      once.result.rows.map((r) => [r.region, r.page, r.count]),
    );
  });

  it('keeps signatures and examples only for each partial’s top rows', () => {
    const shards = makeShards(1, 5_000, 2_000, 3);
    const partial = decodePartial(partialOf('s0', shards[0]!));
    const { keys } = partial;
    expect(keys.detail.size).to.equal(PartialLimits.DETAIL_ROWS);
    const smallest = Math.min(...[...keys.detail.keys()].map((i) => keys.count[i]!));
    for (let i = 0; i < keys.length; i++) {
      if (!keys.detail.has(i)) expect(keys.count[i]).to.be.at.most(smallest);
    }
  });

  it('past the key bound a partial is a bounded summary whose merge stays within its stated bound', () => {
    const shards = makeShards(4, 3_000, 2_000, 5);
    const decoded = shards.map((events, i) =>
      decodePartial(partialOf(`s${i}`, events, { maxKeys: 60 })),
    );
    expect(decoded.every((p) => p.bounded && p.keys.length === 60)).to.equal(true);
    const merged = mergePartials(decoded, { topN: 50 });
    expect(merged.boundedShards).to.deep.equal(['s0', 's1', 's2', 's3']);
    const truth = trueCounts(shards);
    const bound = decoded.reduce((sum, p) => sum + p.errorBound, 0);
    expect(merged.result.bounded).to.equal(true);
    expect(merged.result.errorBound).to.equal(bound);
    for (const row of merged.result.rows) {
      const real = truth.get(`${row.region}\u0000${row.page}`) ?? 0;
      expect(row.count).to.be.at.least(real);
      expect(row.count - row.countError).to.be.at.most(real);
      expect(row.countError).to.be.at.most(bound);
    }
    // Every key whose true count passes the summed bound is reported.
    const heavy = [...truth].filter(([, n]) => n > bound).map(([k]) => k);
    const listed = new Set(merged.result.rows.map((r) => `${r.region}\u0000${r.page}`));
    for (const key of heavy.slice(0, 10)) expect(listed.has(key)).to.equal(true);
    // Totals stay exact.
    expect(merged.result.totals.errors).to.equal([...truth.values()].reduce((a, b) => a + b));
  });

  it('a shard counted with the bounded aggregator keeps that bound through the merge', () => {
    const shards = makeShards(3, 4_000, 3_000, 9);
    const decoded = shards.map((events, i) =>
      decodePartial(partialOf(`s${i}`, events, { maxDistinctKeys: 100 })),
    );
    expect(decoded.every((p) => p.bounded && p.errorBound > 0)).to.equal(true);
    const merged = mergePartials(decoded, { topN: 10 });
    const truth = trueCounts(shards);
    for (const row of merged.result.rows) {
      const real = truth.get(`${row.region}\u0000${row.page}`) ?? 0;
      expect(row.count).to.be.at.least(real);
      expect(row.count - row.countError).to.be.at.most(real);
    }
  });

  it('never passes the byte bound: keys are dropped (into the error bound) until it fits', () => {
    const shards = makeShards(1, 20_000, 20_000, 13);
    const maxGzipBytes = 8_000;
    const bytes = partialOf('s0', shards[0]!, { maxGzipBytes });
    expect(bytes.length).to.be.at.most(maxGzipBytes);
    const partial: ShardPartial = decodePartial(bytes);
    expect(partial.bounded).to.equal(true);
    const { keys } = partial;
    const listed = new Set(
      Array.from(
        { length: keys.length },
        (_, i) => `${keys.regions[keys.region[i]!]!}\u0000${pageAt(keys, i)}`,
      ),
    );
    const truth = trueCounts(shards);
    for (const [key, n] of truth) {
      if (!listed.has(key)) expect(n).to.be.at.most(partial.errorBound);
    }
    // The default bound holds the default distinct-key capacity of short keys in one chunk.
    const full = partialOf('s0', makeShards(1, 40_000, 10_000, 17)[0]!);
    expect(full.length).to.be.below(PartialLimits.MAX_GZIP_BYTES);
  });

  it('refuses bytes that are not a partial', () => {
    expect(() => decodePartial(new Uint8Array([1, 2, 3]), 'x')).to.throw(CorruptItemError);
    const good = gunzipSync(partialOf('s0', makeShards(1, 50, 10, 1)[0]!));
    const headerLength = good.readUInt32LE(4);
    const header = JSON.parse(good.toString('utf8', 8, 8 + headerLength)) as Record<
      string,
      unknown
    >;
    const withHeader = (changed: Record<string, unknown>) => {
      const text = Buffer.from(JSON.stringify({ ...header, ...changed }));
      // Keep the header's length, so the columns stay where they were.
      const padded = Buffer.concat([text, Buffer.alloc(headerLength - text.length, 0x20)]);
      const copy = Buffer.from(good);
      padded.copy(copy, 8);
      return copy;
    };
    const regionColumnAt =
      Math.ceil((8 + headerLength) / 8) * 8 + 7 * 8 * (header.keyCount as number);
    const badRegion = Buffer.from(good);
    badRegion.writeUInt32LE(99, regionColumnAt);
    const badMagic = Buffer.from(good);
    badMagic.write('KLP9', 0, 'latin1');
    for (const broken of [
      good.subarray(0, good.length - 3),
      badRegion,
      badMagic,
      withHeader({ formatVersion: 9 }),
      withHeader({ formats: null }),
      withHeader({ keyCount: (header.keyCount as number) + 1 }),
      withHeader({ pageEncoding: 'ebcdic' }),
      Buffer.from(JSON.stringify({ formatVersion: 1, window: {}, keys: 'no' })),
    ]) {
      expect(() => decodePartial(gzipSync(broken), 'x')).to.throw(CorruptItemError);
    }
    expect(decodePartial(gzipSync(withHeader({}))).keys.length).to.equal(header.keyCount);
  });

  it('keeps pages outside Latin-1 (UTF-16 columns) and merges them with Latin-1 ones', () => {
    const shards = makeShards(2, 500, 30, 31).map((shard, s) =>
      shard.map((f) =>
        f.event.kind === 'ok' || s === 0
          ? f
          : { ...f, event: { ...f.event, page: `${f.event.page}/€` } },
      ),
    );
    shards.push(makeShards(1, 500, 30, 31)[0]!);
    const whole = new TopNAggregator();
    for (const shard of shards) for (const f of shard) whole.add(f.event, f.line, f.timeMs);
    const decoded = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
    expect(decoded[1]!.keys.pageUnits).to.be.instanceOf(Uint16Array);
    expect(decoded[0]!.keys.pageUnits).to.be.instanceOf(Uint8Array);
    const merged = mergePartials(decoded, { topN: 50 }).result;
    expect(merged.totals).to.deep.equal(whole.result(50).totals);
    expect(merged.keyHistory).to.deep.equal(whole.result(50).keyHistory);
    const counts = (r: TopNResult) => r.rows.map((row) => [row.region, row.page, row.count]);
    expect(counts(merged)).to.deep.equal(counts(whole.result(50)));
  });

  it('carries per-format counts and the detector version; the merge adds them', () => {
    const shards = makeShards(4, 300, 40, 23);
    const decoded = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
    expect(decoded[0]!.formatVersion).to.equal(PARTIAL_FORMAT);
    expect(decoded[0]!.formats?.counts.json).to.equal(299);
    const merged = mergePartials(decoded, { topN: 10 });
    expect(merged.formats).to.deep.equal({
      detectorVersion: FORMAT_DETECTOR_VERSION,
      parser: 'auto',
      counts: { ...zeroCounts(), json: 4 * 299, raw: 4 },
    });
    // Partials counted by different detector versions give no format counts at all.
    const mixed = [
      ...decoded.slice(1),
      decodePartial(partialOf('s0', shards[0]!, { detectorVersion: FORMAT_DETECTOR_VERSION + 1 })),
    ];
    expect(mergePartials(mixed, { topN: 10 }).formats).to.equal(undefined);
    // With no events read, the formats are the merger's own, all zero.
    const empty = decodePartial(partialOf('s9', []));
    expect(
      mergePartials([empty], { formats: { detectorVersion: 7, parser: 'json' } }).formats,
    ).to.deep.equal({ detectorVersion: 7, parser: 'json', counts: zeroCounts() });
  });

  it('still reads version 1 partials (rows, no formats): same counts, no format counts', () => {
    const shards = makeShards(3, 400, 60, 29);
    const decoded = shards.map((events, i) => decodePartial(partialOf(`s${i}`, events)));
    const v1 = decoded.map((p) => {
      const k = p.keys;
      const rows = Array.from({ length: k.length }, (_, i) => {
        const row: unknown[] = [
          k.regions[k.region[i]!],
          pageAt(k, i),
          k.count[i],
          k.overestimate[i],
          k.count5xx[i],
          k.count4xx[i],
          k.countLevel[i],
          Number.isNaN(k.firstSeenMs[i]) ? null : k.firstSeenMs[i],
          Number.isNaN(k.lastSeenMs[i]) ? null : k.lastSeenMs[i],
        ];
        const detail = k.detail.get(i);
        if (detail !== undefined) row.push(detail);
        return row;
      });
      const { formats: _f, ...rest } = p;
      return decodePartial(gzipSync(JSON.stringify({ ...rest, formatVersion: 1, keys: rows })));
    });
    const merged = mergePartials(v1, { topN: 20 });
    expect(merged.result).to.deep.equal(mergePartials(decoded, { topN: 20 }).result);
    expect(merged.formats).to.equal(undefined);
  });
});
