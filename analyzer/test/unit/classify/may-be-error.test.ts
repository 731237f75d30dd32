import { expect } from 'chai';
import { getParser, JsonFieldAliases } from '@kinlog/core';
import { classifyEvent } from '../../../src/classify/classify-event.js';
import { mayBeError } from '../../../src/classify/may-be-error.js';

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

describe('mayBeError', () => {
  const json = getParser('json');

  it('never screens out a record the shared parser and classifyEvent make an error', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    let screenedOut = 0;
    for (let i = 0; i < 20_000; i++) {
      const record: Record<string, unknown> = { msg: 'm' };
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        if (random() < 0.6) record[pick(LEVEL_KEYS)] = pick(LEVELS);
        else record[pick(STATUS_KEYS)] = pick(STATUSES);
      }
      if (random() < 0.1) record['res'] = { statusCode: pick(STATUSES) };
      if (random() < 0.02) record['parseError'] = pick([true, false, 1]);
      const line = JSON.stringify(record);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (mayBeError(parsed)) continue;
      screenedOut++;
      for (const count4xx of [true, false]) {
        const kind = classifyEvent(json(line), { count4xx }).kind;
        expect(kind, line).to.equal('ok');
      }
    }
    // The screen must also be useful: plenty of records are turned down.
    expect(screenedOut).to.be.greaterThan(2_000);
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
