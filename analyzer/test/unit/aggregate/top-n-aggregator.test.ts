import { expect } from 'chai';
import { ConfigError, DynamoDbLimits } from '@kinlog/core';
import type { AnalyzerEvent } from '../../../src/classify/analyzer-event.js';
import { classifyEvent } from '../../../src/classify/classify-event.js';
import type { ClassifiedEvent } from '../../../src/classify/classify-event.js';
import { PageLimits } from '../../../src/classify/fold-page.js';
import { SignatureLimits } from '../../../src/classify/message-signature.js';
import { MAX_REGION_CHARS } from '../../../src/classify/normalize-region.js';
import { MAX_EXAMPLE_CHARS, SIGNATURES_PER_KEY } from '../../../src/aggregate/top-n-result.js';
import { TopNAggregator } from '../../../src/aggregate/top-n-aggregator.js';
import {
  countInHistory,
  KeyHistoryLimits,
  type KeyFilter,
} from '../../../src/aggregate/key-history.js';
import { TopNLimits } from '../../../src/aggregate/top-n-result.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');

/** Feeds JSON lines the way the analyzer will: parse, classify, add; bad JSON counts as unparsed. */
function feed(topN: TopNAggregator, lines: readonly string[]): void {
  for (const line of lines) {
    let event: AnalyzerEvent;
    try {
      event = JSON.parse(line) as AnalyzerEvent;
    } catch {
      event = { parseError: true, msg: line };
    }
    topN.add(
      classifyEvent(event),
      line,
      typeof event.time === 'string' ? Date.parse(event.time) : undefined,
    );
  }
}

/** A generated access/app log with a known answer (ties and hostile strings included). */
function knownLog(): string[] {
  const lines: string[] = [];
  const at = (i: number) => new Date(T0 + i * 1000).toISOString();
  let i = 0;
  // EU /api/orders/:id: 5 × 503 + 2 × 500 = 7
  for (let k = 0; k < 5; k++)
    lines.push(
      JSON.stringify({
        time: at(i++),
        status: 503,
        region: 'eu',
        path: `/api/orders/${100 + k}?t=${k}`,
      }),
    );
  for (let k = 0; k < 2; k++)
    lines.push(
      JSON.stringify({ time: at(i++), status: 500, region: 'EU', path: `/api/orders/${200 + k}` }),
    );
  // NA /cart: 4 × 404 + 3 level errors = 7 (ties with EU, which sorts first)
  for (let k = 0; k < 4; k++)
    lines.push(JSON.stringify({ time: at(i++), status: 404, region: 'NA', page: '/cart' }));
  for (let k = 0; k < 3; k++)
    lines.push(
      JSON.stringify({
        time: at(i++),
        level: 'error',
        msg: `db timeout after ${k * 1000 + 7}ms`,
        region: 'NA',
        page: '/cart',
      }),
    );
  // unknown region, hostile page and message: 3
  for (let k = 0; k < 3; k++)
    lines.push(
      JSON.stringify({
        time: at(i++),
        level: 50,
        msg: '<script>alert("x")</script>',
        page: '/search/<script>',
      }),
    );
  // EU /login: 3 (ties with the hostile row; "EU" < "unknown")
  for (let k = 0; k < 3; k++)
    lines.push(JSON.stringify({ time: at(i++), status: 502, region: 'EU', path: '/login' }));
  // 20 fine records, 2 broken ones
  for (let k = 0; k < 20; k++)
    lines.push(JSON.stringify({ time: at(i++), status: 200, region: 'EU', path: '/' }));
  lines.push('{"status": 500, "path": "/broken"', 'not json at all');
  return lines;
}

describe('TopNAggregator', () => {
  it('produces the known top-N of a generated log, ties ordered by region then page', () => {
    const topN = new TopNAggregator();
    const lines = knownLog();
    feed(topN, lines);
    const result = topN.result(10);

    expect(result.totals).to.deep.equal({
      events: 42,
      errors: 20,
      errors5xx: 10,
      errors4xx: 4,
      errorsLevel: 6,
      unparsed: 2,
      distinctKeys: 4,
    });
    expect(result.bounded).to.equal(false);
    expect(result.errorBound).to.equal(0);
    expect(result.signatureRulesVersion).to.equal(1);
    expect(result.rows.map((r) => [r.region, r.page, r.count])).to.deep.equal([
      ['EU', '/api/orders/:id', 7],
      ['NA', '/cart', 7],
      ['EU', '/login', 3],
      ['unknown', '/search/<script>', 3],
    ]);

    const [orders, cart, , hostile] = result.rows;
    expect(orders).to.deep.include({
      share: 0.35,
      count5xx: 7,
      count4xx: 0,
      countLevel: 0,
      countError: 0,
      example: lines[0],
      firstSeen: '2024-05-01T12:00:00.000Z',
      lastSeen: '2024-05-01T12:00:06.000Z',
      change: null,
    });
    expect(orders!.signatures).to.deep.equal([
      { signature: '503 Service Unavailable', count: 5, countError: 0 },
      { signature: '500 Internal Server Error', count: 2, countError: 0 },
    ]);
    expect(cart!.signatures).to.deep.equal([
      { signature: '404 Not Found', count: 4, countError: 0 },
      { signature: 'db timeout after <n>ms', count: 3, countError: 0 },
    ]);
    expect(cart).to.deep.include({ count4xx: 4, countLevel: 3 });
    // Hostile content is kept verbatim, as data.
    expect(hostile!.signatures).to.deep.equal([
      { signature: '<script>alert("<str>")</script>', count: 3, countError: 0 },
    ]);
    expect(hostile!.example).to.contain('<script>alert(\\"x\\")</script>');
  });

  it('returns plain JSON data', () => {
    const topN = new TopNAggregator();
    feed(topN, knownLog());
    const result = topN.result(3);
    expect(result.rows).to.have.length(3);
    expect(JSON.parse(JSON.stringify(result))).to.deep.equal(result);
  });

  it('reports the change against the previous result', () => {
    const first = new TopNAggregator();
    feed(first, knownLog().slice(0, 14)); // EU orders 7, NA cart 7
    const previous = first.result(10);

    const second = new TopNAggregator();
    feed(second, knownLog());
    const rows = second.result(10, previous).rows;
    expect(rows.map((r) => r.change)).to.deep.equal([
      { previousCount: 7, delta: 0, isNew: false },
      { previousCount: 7, delta: 0, isNew: false },
      { previousCount: 0, delta: 3, isNew: true },
      { previousCount: 0, delta: 3, isNew: true },
    ]);

    // A previous result cut off below a key still knows its count from the key history…
    const cut = first.result(1);
    expect(cut.keyHistory?.kind).to.equal('counts');
    expect(second.result(10, cut).rows[1]!.change).to.deep.equal({
      previousCount: 7,
      delta: 0,
      isNew: false,
    });
    // …and one stored without it (format 1) cannot tell: unknown, never "new".
    const { keyHistory: _dropped, ...formatOne } = cut;
    expect(second.result(10, formatOne).rows[1]!.change).to.deep.equal({
      previousCount: null,
      delta: null,
      isNew: false,
    });
  });

  it('tells new keys from keys below the previous cut-off through a key filter', () => {
    // More keys than are counted one by one: the history is a Bloom filter.
    const many = KeyHistoryLimits.MAX_COUNTED_KEYS + 500;
    const first = new TopNAggregator();
    for (let k = 0; k < many; k++) {
      for (let i = 0; i <= (k === 0 ? 10 : 0); i++)
        first.add({ kind: 'error5xx', region: 'EU', page: `/p${k}`, signature: 's' });
    }
    const previous = first.result(1);
    expect(previous.keyHistory?.kind).to.equal('filter');
    const filter = previous.keyHistory as KeyFilter;
    expect(filter.falsePositiveRate).to.be.below(0.01);
    expect(filter.falsePositiveRate).to.be.above(0);

    const second = new TopNAggregator();
    for (let i = 0; i < 3; i++) {
      second.add({ kind: 'error5xx', region: 'EU', page: '/p1', signature: 's' });
      second.add({ kind: 'error5xx', region: 'EU', page: '/brand-new', signature: 's' });
    }
    const byPage = new Map(second.result(10, previous).rows.map((r) => [r.page, r.change]));
    // /p1 was below the cut-off: its count is unknown (the filter holds it), never "new".
    expect(byPage.get('/p1')).to.deep.equal({ previousCount: null, delta: null, isNew: false });
    expect(byPage.get('/brand-new')).to.deep.equal({ previousCount: 0, delta: 3, isNew: true });
  });

  it('keeps every key seen in the filter once bounded, evicted keys included', () => {
    const topN = new TopNAggregator({ maxDistinctKeys: 10 });
    for (let k = 0; k < 1000; k++)
      topN.add({ kind: 'error5xx', region: 'EU', page: `/k${k}`, signature: 's' });
    const result = topN.result(5);
    expect(result.bounded).to.equal(true);
    const history = result.keyHistory!;
    expect(history.kind).to.equal('filter');
    for (let k = 0; k < 1000; k++) expect(countInHistory(history, 'EU', `/k${k}`)).to.equal(null);
    let certainlyNew = 0;
    for (let k = 0; k < 1000; k++)
      if (countInHistory(history, 'US', `/k${k}`) === 0) certainlyNew++;
    expect(certainlyNew).to.be.above(990);
  });

  it('bounds signature counts that took a replaced slot (12 messages x 2 records)', () => {
    const topN = new TopNAggregator();
    for (let round = 0; round < 2; round++) {
      for (let m = 0; m < 12; m++)
        topN.add({ kind: 'errorLevel', region: 'EU', page: '/', signature: `message ${m}` });
    }
    const signatures = topN.result(1).rows[0]!.signatures;
    expect(signatures).to.have.length(SIGNATURES_PER_KEY);
    for (const s of signatures) {
      // Each message occurred exactly twice: the truth must lie within [count − error, count].
      expect(s.count - s.countError, s.signature).to.be.at.most(2);
      expect(s.count, s.signature).to.be.at.least(2);
    }
    expect(signatures.some((s) => s.count > 2 && s.countError > 0)).to.equal(true);
  });

  it('keeps the first example and bounds its length', () => {
    const topN = new TopNAggregator();
    const event: ClassifiedEvent = {
      kind: 'error5xx',
      region: 'EU',
      page: '/',
      signature: '500 Internal Server Error',
    };
    topN.add(event, undefined, undefined);
    topN.add(event, 'x'.repeat(10_000), Number.NaN);
    topN.add(event, 'second', T0);
    const row = topN.result(1).rows[0]!;
    expect(row.example).to.equal('x'.repeat(MAX_EXAMPLE_CHARS));
    expect(row.firstSeen).to.equal(row.lastSeen).and.to.equal('2024-05-01T12:00:00.000Z');
  });

  it('switches to a Space-Saving summary above maxDistinctKeys and reports its error bound', () => {
    const m = 20;
    const topN = new TopNAggregator({ maxDistinctKeys: m });
    const exact = new Map<string, number>();
    let seed = 42;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    let errors = 0;
    for (let i = 0; i < 20_000; i++) {
      // Five heavy pages and a long tail of 5,000 rare ones.
      const page =
        random() < 0.5
          ? `/hot/${Math.floor(random() * 5)}`
          : `/tail/${Math.floor(random() * 5000)}`;
      exact.set(page, (exact.get(page) ?? 0) + 1);
      errors++;
      topN.add({ kind: 'errorLevel', region: 'EU', page, signature: 's' }, page, T0 + i);
    }
    const result = topN.result(5);
    expect(result.bounded).to.equal(true);
    expect(result.errorBound)
      .to.be.greaterThan(0)
      .and.at.most(errors / m);
    expect(result.rows.map((r) => r.page).sort()).to.deep.equal([
      '/hot/0',
      '/hot/1',
      '/hot/2',
      '/hot/3',
      '/hot/4',
    ]);
    for (const row of result.rows) {
      const truth = exact.get(row.page)!;
      expect(row.count).to.be.at.least(truth);
      expect(row.count - row.countError).to.be.at.most(truth);
      expect(row.countError).to.be.at.most(result.errorBound);
    }
    // Distinct keys are estimated by the sketch once bounded.
    expect(result.totals.distinctKeys).to.be.within(exact.size * 0.95, exact.size * 1.05);
    expect(result.totals.errors).to.equal(errors);
  });

  it('keeps a key admitted by evicting the last page of its own region', () => {
    const topN = new TopNAggregator({ maxDistinctKeys: 1 });
    const at = (page: string): ClassifiedEvent => ({
      kind: 'error5xx',
      region: 'EU',
      page,
      signature: 's',
    });
    topN.add(at('/a'));
    topN.add(at('/b'));
    topN.add(at('/b'));
    const result = topN.result(5);
    expect(result.rows.map((r) => [r.page, r.count, r.countError])).to.deep.equal([['/b', 3, 1]]);
    expect(result.errorBound).to.equal(3);
  });

  it('tracks at most SIGNATURES_PER_KEY signatures per key, Space-Saving style', () => {
    const topN = new TopNAggregator();
    for (let i = 0; i < 50; i++)
      topN.add({ kind: 'errorLevel', region: 'EU', page: '/', signature: 'common' });
    for (let i = 0; i < 20; i++)
      topN.add({ kind: 'errorLevel', region: 'EU', page: '/', signature: `rare ${i}` });
    const signatures = topN.result(1).rows[0]!.signatures;
    expect(signatures).to.have.length(SIGNATURES_PER_KEY);
    expect(signatures[0]).to.deep.equal({ signature: 'common', count: 50, countError: 0 });
    expect(signatures.slice(1).reduce((n, s) => n + s.count, 0)).to.equal(20);
  });

  it('fits a DynamoDB item at MAX_TOP_N rows with every field at its longest', () => {
    const topN = new TopNAggregator();
    // Control characters: each becomes six bytes (\u0001) in JSON, the worst case.
    const worst = (n: number, tag: number) => String(tag).padEnd(n, '\u0001');
    for (let k = 0; k < TopNLimits.MAX_TOP_N; k++) {
      for (let s = 0; s < SIGNATURES_PER_KEY; s++) {
        topN.add(
          {
            kind: 'errorLevel',
            region: worst(MAX_REGION_CHARS, k),
            page: worst(PageLimits.MAX_PAGE_CHARS, k),
            signature: worst(SignatureLimits.MAX_SIGNATURE_CHARS, s),
          },
          worst(MAX_EXAMPLE_CHARS, k),
          Number.MAX_SAFE_INTEGER,
        );
      }
    }
    const previous = topN.result(TopNLimits.MAX_TOP_N);
    const result = topN.result(TopNLimits.MAX_TOP_N, previous);
    const json = JSON.stringify(result);
    expect(Buffer.byteLength(json)).to.be.at.most(TopNLimits.MAX_RESULT_BYTES);
    expect(Buffer.byteLength(json)).to.be.below(DynamoDbLimits.MAX_ITEM_BYTES);
    // The key history takes what room is left (a folded filter here), never more.
    expect(result.keyHistory?.kind).to.equal('filter');
  });

  it('validates its options and the requested row count', () => {
    expect(() => new TopNAggregator({ maxDistinctKeys: 0 })).to.throw(
      ConfigError,
      /maxDistinctKeys/,
    );
    expect(() => new TopNAggregator({ maxDistinctKeys: 1.5 })).to.throw(
      ConfigError,
      /maxDistinctKeys/,
    );
    expect(() => new TopNAggregator().result(TopNLimits.MAX_TOP_N + 1)).to.throw(
      ConfigError,
      /topN/,
    );
    expect(() => new TopNAggregator().result(0)).to.throw(ConfigError, /topN/);
  });

  it('keeps exact counts until the switch, and examples of recycled keys from their second line', () => {
    const m = 3;
    const topN = new TopNAggregator({ maxDistinctKeys: m });
    const at = (page: string): ClassifiedEvent => ({
      kind: 'error5xx',
      region: 'EU',
      page,
      signature: 's',
    });
    for (const [page, n] of [
      ['/a', 5],
      ['/b', 4],
      ['/c', 2],
    ] as const) {
      for (let i = 0; i < n; i++) topN.add(at(page), `${page} line ${i}`, T0 + i);
    }
    const before = topN.result(5);
    expect(before.bounded).to.equal(false);
    expect(before.errorBound).to.equal(0);
    expect(before.rows.map((r) => [r.page, r.count, r.countError, r.example])).to.deep.equal([
      ['/a', 5, 0, '/a line 0'],
      ['/b', 4, 0, '/b line 0'],
      ['/c', 2, 0, '/c line 0'],
    ]);
    topN.add(at('/d'), '/d first', T0);
    topN.add(at('/d'), '/d second', T0);
    const after = topN.result(5);
    expect(after.bounded).to.equal(true);
    expect(after.errorBound).to.equal(4);
    const d = after.rows.find((r) => r.page === '/d')!;
    expect([d.count, d.countError, d.example]).to.deep.equal([4, 2, '/d second']);
    // Keys counted before the switch keep their exact counts and first examples.
    expect(after.rows.find((r) => r.page === '/a')).to.deep.include({
      count: 5,
      countError: 0,
      example: '/a line 0',
    });
  });
});
