import type { TopNResult, TopNRow } from '../../src/aggregate/top-n-result.js';
import { STORED_REPORT_FORMAT, type StoredReport } from '../../src/checkpoint/stored-report.js';

const REGIONS = ['EU', 'US', 'APAC', 'SA'] as const;
/** Pages of the sample rows, in row order (row i has page i). */
export const SAMPLE_PAGES = [
  '/checkout',
  '/api/orders/:id',
  '/login',
  '/search',
  '/cart',
  '/api/users/:id',
  '/health',
  '/payment/confirm',
  '/static/:id',
  '/api/stock',
  '/profile',
  '/logout',
] as const;

/** A row with counts that fall as `i` grows, a change, two signatures and an example. */
export function sampleRow(i: number, total: number): TopNRow {
  const count = 120 - i * 9;
  const count5xx = Math.ceil(count * (i % 3 === 0 ? 0.8 : 0.3));
  const count4xx = Math.floor((count - count5xx) * 0.7);
  return {
    region: REGIONS[i % REGIONS.length] ?? 'EU',
    page: SAMPLE_PAGES[i % SAMPLE_PAGES.length] ?? '/',
    count,
    share: Math.round((count / total) * 1e6) / 1e6,
    count5xx,
    count4xx,
    countLevel: count - count5xx - count4xx,
    countError: 0,
    signatures: [
      {
        signature: `${500 + (i % 4)} upstream timeout after <n> ms`,
        count: count - 3,
        countError: 0,
      },
      // Row 1's second signature took a replaced one's slot: an estimate.
      { signature: 'connection reset by peer <ip>', count: 3, countError: i === 1 ? 2 : 0 },
    ],
    example: `2025-03-01T10:0${i % 10}:00Z ERROR GET ${SAMPLE_PAGES[i % SAMPLE_PAGES.length]} -> ${500 + (i % 4)} upstream timeout after 3000 ms`,
    firstSeen: `2025-03-01T10:0${i % 10}:00.000Z`,
    lastSeen: `2025-03-01T10:1${i % 10}:30.000Z`,
    change:
      i === 2
        ? { previousCount: 0, delta: count, isNew: true }
        : i === 5
          ? { previousCount: null, delta: null, isNew: false }
          : {
              previousCount: count - (i % 2 === 0 ? 12 : -4),
              delta: i % 2 === 0 ? 12 : -4,
              isNew: false,
            },
  };
}

/** A deterministic top-N result of `rows` rows. */
export function sampleResult(
  rows = 12,
  patch: (row: TopNRow, i: number) => TopNRow = (r) => r,
): TopNResult {
  const list = Array.from({ length: rows }, (_, i) => sampleRow(i, 1000)).map(patch);
  return {
    rows: list,
    totals: {
      events: 5000,
      errors: 1000,
      errors5xx: 600,
      errors4xx: 300,
      errorsLevel: 100,
      unparsed: 7,
      distinctKeys: 40,
    },
    bounded: false,
    errorBound: 0,
    signatureRulesVersion: 1,
  };
}

/** A stored report of iteration `iteration` of `name` holding `result`. */
export function sampleStoredReport(
  name = 'web',
  iteration = 42,
  result: TopNResult = sampleResult(),
): StoredReport {
  return {
    formatVersion: STORED_REPORT_FORMAT,
    name,
    stream: 'logs',
    iteration,
    window: [
      {
        shardId: 'shardId-000000000000',
        parentShardIds: [],
        startAfterSeq: '49660000000000000000000000000000000000000000000000000001',
        endSeq: '49660000000000000000000000000000000000000000000000009999',
        records: 3000,
        closed: false,
        stopReason: 'caughtUp',
      },
      {
        shardId: 'shardId-000000000001',
        parentShardIds: [],
        records: 2000,
        endSeq: '49660000000000000000000000000000000000000000000000008888',
        closed: false,
        stopReason: 'caughtUp',
      },
    ],
    result,
    decode: {
      records: 5000,
      events: 5000,
      gzipPayloads: 0,
      kplAggregates: 0,
      undecodable: 0,
      misplaced: 0,
    },
    formats: {
      detectorVersion: 1,
      parser: 'auto',
      counts: {
        json: 4000,
        access: 900,
        apacheError: 0,
        log4j: 60,
        syslog: 0,
        raw: 40,
        unparsed: 0,
        undecodable: 0,
      },
    },
    startedAt: '2025-03-01T10:20:00.000Z',
    finishedAt: '2025-03-01T10:20:04.000Z',
  };
}

/** Log lines built to break a report: markup, attribute escapes, huge lines, bidi tricks. */
export const HOSTILE_STRINGS = {
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  single: "'><svg onload=alert(1)>",
  huge: 'A'.repeat(10_000),
  rtl: 'user\u202egnp.exe\u202c done \u05e9\u05dc\u05d5\u05dd',
  zeroWidth: 'pay\u200bment\u200d\ufeff',
  invalidUtf8: Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0xc3, 0x28]).toString('utf8'),
  control: 'a\u0000b\u001b[31mred\u0007\r\nSubject: injected',
  loneSurrogate: 'x\ud800y',
} as const;

/** A result whose every log-derived string is hostile. */
export function hostileResult(): TopNResult {
  const values = Object.values(HOSTILE_STRINGS);
  return sampleResult(values.length, (row, i) => {
    const evil = values[i] ?? '';
    return {
      ...row,
      region: evil.slice(0, 40),
      page: evil,
      signatures: [{ signature: evil, count: 3, countError: 0 }],
      example: evil,
    };
  });
}
