import { expect } from 'chai';
import { getParser, JsonFieldAliases, pick, seededRandom } from '@kinlog/core';
import { classifyEvent } from '../../../src/classify/classify-event.js';
import { createMayBeErrorBytes, mayBeError } from '../../../src/classify/may-be-error.js';

// Every alias the parser reads (its own table, so a new one is tested too), and a few it does not.
const LEVEL_KEYS = [
  ...new Set([...JsonFieldAliases.level, 'level', 'severity', 'levelname', 'LEVEL', 'lvl']),
];
const STATUS_KEYS = [...new Set([...JsonFieldAliases.status, 'status', 'statusCode', 'code'])];
const LEVELS: unknown[] = [
  'info',
  'INFO',
  ' warn ',
  'Warning',
  'error',
  'ERR',
  'Fatal',
  'dpanic',
  'crit',
  'severe',
  'audit',
  '',
  '50',
  '49',
  '60',
  10,
  30,
  49,
  49.9,
  50,
  55,
  60,
  70,
  5,
  -1,
  true,
  null,
  { x: 1 },
  'x'.repeat(40),
];
const STATUSES: unknown[] = [
  200,
  302,
  399,
  400,
  404,
  499,
  500,
  503,
  599,
  600,
  99,
  503.5,
  '200',
  '404',
  '503',
  ' 503',
  'abc',
  '',
  null,
  false,
  [500],
];

/** Records of random level and status fields under every alias, seeded. */
function* generatedRecords(seed: number, count: number): Generator<Record<string, unknown>> {
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = { msg: 'm' };
    for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
      if (random() < 0.6) record[pick(random, LEVEL_KEYS)] = pick(random, LEVELS);
      else record[pick(random, STATUS_KEYS)] = pick(random, STATUSES);
    }
    if (random() < 0.1) record['res'] = { statusCode: pick(random, STATUSES) };
    if (random() < 0.02) record['parseError'] = pick(random, [true, false, 1]);
    yield record;
  }
}

describe('mayBeError', () => {
  const json = getParser('json');

  function expectOk(line: string): void {
    for (const count4xx of [true, false]) {
      expect(classifyEvent(json(line), { count4xx }).kind, line).to.equal('ok');
    }
  }

  it('never screens out a record the shared parser and classifyEvent make an error', () => {
    let screenedOut = 0;
    for (const record of generatedRecords(7, 20_000)) {
      const line = JSON.stringify(record);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (mayBeError(parsed)) continue;
      screenedOut++;
      expectOk(line);
    }
    // The screen must also be useful: plenty of records are turned down.
    expect(screenedOut).to.be.greaterThan(2_000);
  });

  it('screens raw bytes as it screens the parsed record, and never turns down an error', () => {
    const screenBytes = createMayBeErrorBytes();
    const encoder = new TextEncoder();
    let turnedDown = 0;
    let unsure = 0;
    for (const record of generatedRecords(8, 20_000)) {
      const compact = JSON.stringify(record);
      // Spaced out, and with every "e" of its strings escaped: the same record, other bytes.
      for (const line of [
        compact,
        JSON.stringify(record, null, 1),
        compact.replace(/"[^"]*"/g, (text) => text.replaceAll('e', '\\u0065')),
      ]) {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (screenBytes(encoder.encode(line))) {
          if (!mayBeError(parsed)) unsure++;
          continue;
        }
        turnedDown++;
        expect(mayBeError(parsed), line).to.equal(false);
        expectOk(line);
      }
    }
    // Unescaped lines are answered from their bytes as the parsed screen answers them.
    expect(turnedDown).to.be.greaterThan(4_000);
    expect(unsure).to.be.lessThan(turnedDown);
    // Not JSON, not an object, or broken: never turned down (the decoder reports them).
    for (const line of ['plain text', '[1]', '{"level":"info"', '{"level":"info"} x', '']) {
      expect(screenBytes(encoder.encode(line)), line).to.equal(true);
    }
  });

  it('turns down ordinary fine records and keeps every error shape', () => {
    expect(mayBeError({ level: 'info', status: 200, msg: 'ok', durationMs: 900 })).to.equal(false);
    expect(mayBeError({ level: 30, msg: 'ok' })).to.equal(false);
    expect(mayBeError({ msg: 'no level at all' })).to.equal(false);
    expect(mayBeError({ severity: 'ERROR' })).to.equal(true);
    expect(mayBeError({ levelname: 'CRITICAL' })).to.equal(true);
    expect(mayBeError({ level: 50 })).to.equal(true);
    expect(mayBeError({ statusCode: '503' })).to.equal(true);
    expect(mayBeError({ res: { statusCode: 404 } })).to.equal(true);
    expect(mayBeError({ parseError: true })).to.equal(true);
  });

  it('reads every level and status alias of the shared parser, as the parser names them', () => {
    for (const key of JsonFieldAliases.level) {
      expect(mayBeError({ [key]: 'error' }), key).to.equal(true);
      expect(mayBeError({ [key]: 'info' }), key).to.equal(false);
    }
    for (const key of JsonFieldAliases.status) {
      expect(mayBeError({ [key]: 503 }), key).to.equal(true);
      expect(mayBeError({ [key]: 200 }), key).to.equal(false);
    }
    const { parent, key } = JsonFieldAliases.nestedStatus;
    expect(mayBeError({ [parent]: { [key]: 503 } })).to.equal(true);
    expect(mayBeError({ [parent]: { [key]: 200 } })).to.equal(false);
  });
});
