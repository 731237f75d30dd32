/**
 * winston `info` objects as a logger hands them to its transports (raw level under triple-beam's
 * `LEVEL` symbol, `format.timestamp()`'s `timestamp`), from the usual request log to the odd
 * ones: cycles, BigInts, errors with causes, values JSON cannot say, non-ASCII text and messages
 * over the record limit. Each call makes fresh objects.
 */
const LEVEL = Symbol.for('level');
const SPLAT = Symbol.for('splat');
const MESSAGE = Symbol.for('message');

/** A fixed time, so that two encodings of one info can be compared byte for byte. */
export const ODD_INFO_TIMESTAMP = '2024-05-01T10:00:00.000Z';

/** An info object as winston makes it from `logger.log(level, message, meta)`. */
export function infoOf(
  level: string,
  message: unknown,
  meta: Record<string, unknown> = {},
): Record<string, unknown> {
  const info: Record<string | symbol, unknown> = {
    ...meta,
    level,
    message,
    timestamp: ODD_INFO_TIMESTAMP,
  };
  info[LEVEL] = level;
  info[SPLAT] = [meta];
  info[MESSAGE] = '{"rendered":"by format.json()"}';
  return info;
}

/** Characters that take 1, 2, 3 and 4 UTF-8 bytes, escapes JSON must write, lone surrogates. */
export const NON_ASCII = 'héllo wörld 日本語 🎉 \u2028\u2029 \u0000\u001f "q" \\ \ud800 x \udfff';

/** Odd info objects with a name each (all with a readable time). */
export function oddInfos(): { name: string; info: Record<string, unknown> }[] {
  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  circular.list = [circular, 1];
  const shared = { x: 1 };
  const cause = Object.assign(new RangeError('disk full'), { code: 'ENOSPC' });
  const err = Object.assign(new TypeError('boom', { cause }), { status: 503 });
  const aggregate = new AggregateError([new Error('a'), new Error('b')], 'both failed');
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 40; i++) deep = { d: deep };
  const errorInfo = Object.assign(new Error('thrown', { cause: new Error('root') }), {
    level: 'error',
    timestamp: ODD_INFO_TIMESTAMP,
    [LEVEL]: 'error',
  }) as unknown as Record<string, unknown>;
  return [
    {
      name: 'request log',
      info: infoOf('info', 'request completed', {
        reqId: 'req-1',
        method: 'GET',
        page: '/checkout',
        status: 200,
        durationMs: 12.5,
        ok: true,
        nothing: null,
      }),
    },
    {
      name: 'circular meta',
      info: infoOf('warn', 'cycle', { meta: circular, shared, again: shared }),
    },
    { name: 'BigInt', info: infoOf('info', 'big', { big: 12345678901234567890n, n: -0 }) },
    { name: 'error with cause', info: infoOf('error', 'failed', { err }) },
    { name: 'AggregateError', info: infoOf('error', 'failed', { err: aggregate }) },
    { name: 'an Error as the info', info: errorInfo },
    { name: 'non-ASCII', info: infoOf('info', NON_ASCII, { [NON_ASCII]: NON_ASCII }) },
    { name: 'non-ASCII level', info: infoOf('ïnfo', 'x') },
    {
      name: 'values JSON leaves out or mangles',
      info: infoOf('info', 'values', {
        u: undefined,
        f: () => 1,
        s: Symbol('s'),
        nan: NaN,
        inf: -Infinity,
        date: new Date(0),
        bad: new Date(NaN),
        map: new Map<unknown, unknown>([
          ['a', 1],
          [2, 'b'],
        ]),
        set: new Set([1, 'x']),
        buf: Buffer.from('héllo'),
        bytes: new Uint8Array([0xff, 0xfe]),
        withToJson: { toJSON: () => ({ y: 2 }) },
        throwingToJson: {
          toJSON: () => {
            throw new Error('no');
          },
        },
        instance: new URL('https://example.com/a?b=1'),
      }),
    },
    { name: 'deep nesting', info: infoOf('info', 'deep', { deep }) },
    { name: 'message not a string', info: infoOf('info', { text: 'object message' }) },
    { name: 'message undefined', info: infoOf('info', undefined, { only: 'meta' }) },
    { name: 'own time field', info: infoOf('info', 'own time', { time: 'yesterday' }) },
    { name: 'time as a Date', info: infoOf('info', 'date time', { time: new Date(86_400_000) }) },
    {
      name: 'field named like ours',
      info: infoOf('info', 'msg field', { msg: 'shadow', stack: 's' }),
    },
    {
      name: 'level without LEVEL symbol',
      info: { level: 'debug', message: 'plain', timestamp: ODD_INFO_TIMESTAMP },
    },
    { name: 'empty message', info: infoOf('info', '') },
    {
      name: 'keys JSON writes first or not at all',
      info: infoOf('info', 'keys', { b: 1, '2': 'two', '10': 'ten', '01': 'not an index' }),
    },
    {
      name: 'own __proto__ field',
      info: JSON.parse(
        '{"level":"info","message":"p","timestamp":"2024-05-01T10:00:00.000Z","__proto__":"x","a":1}',
      ) as Record<string, unknown>,
    },
    {
      name: 'keys and text that need escapes',
      info: infoOf('info', 'tab\there "q" \u007f', {
        'a"b': 'c\\d',
        é: 'ü',
        '': 'empty key',
        [Symbol('sym')]: 'left out',
      }),
    },
    {
      name: 'numbers JSON writes its own way',
      info: infoOf('info', 'n', {
        z: -0,
        big: 1e21,
        small: 5e-7,
        max: Number.MAX_VALUE,
        nan: NaN,
        inf: Infinity,
      }),
    },
    {
      name: 'level as a number',
      info: { [LEVEL]: 3, level: 'x', message: 'numeric level', timestamp: ODD_INFO_TIMESTAMP },
    },
    { name: 'level undefined', info: { message: 'no level', timestamp: ODD_INFO_TIMESTAMP } },
    {
      name: 'time undefined, timestamp a number',
      info: { level: 'info', message: 't', time: undefined, timestamp: 42 },
    },
    { name: 'time a symbol', info: { level: 'info', message: 't', time: Symbol('t') } },
    {
      name: 'function with toJSON',
      info: infoOf('info', 'f', { f: Object.assign(() => 1, { toJSON: () => 'from toJSON' }) }),
    },
    {
      name: 'throwing toJSON on a function',
      info: infoOf('info', 'f', {
        f: Object.assign(() => 1, {
          toJSON: (): never => {
            throw new Error('no');
          },
        }),
      }),
    },
    { name: 'own stack undefined', info: infoOf('info', 's', { stack: undefined, after: 1 }) },
    { name: 'own stack a number', info: infoOf('info', 's', { stack: 7 }) },
    {
      name: 'inherited stack string',
      info: Object.assign(Object.create({ stack: 'inherited stack' }) as Record<string, unknown>, {
        level: 'info',
        message: 'i',
        timestamp: ODD_INFO_TIMESTAMP,
      }),
    },
    {
      name: 'many distinct keys',
      info: infoOf(
        'info',
        'wide',
        Object.fromEntries(
          Array.from({ length: 1500 }, (_, i) => [
            `k${i}-${Math.random().toString(36).slice(2)}`,
            i,
          ]),
        ),
      ),
    },
    { name: 'booleans and null only', info: infoOf('info', 'b', { t: true, f: false, n: null }) },
    {
      name: 'nothing but undefined',
      info: { level: undefined, message: undefined, time: Symbol('t') },
    },
  ];
}

/**
 * Messages around and over the record limit (1 MiB) and the transport's 64 KiB run buffer, in
 * 1-, 2-, 3- and 4-byte characters.
 */
export function bigInfos(): { name: string; info: Record<string, unknown> }[] {
  const sizes = [1_000, 30_000, 70_000, 400_000, 1_100_000, 3_000_000];
  const out: { name: string; info: Record<string, unknown> }[] = [];
  for (const char of ['x', 'é', '日', '🎉']) {
    for (const size of sizes) {
      const message = char.repeat(Math.ceil(size / Buffer.byteLength(char)));
      out.push({
        name: `${size} bytes of ${char}`,
        info: infoOf('info', message, { page: '/big', tail: char.repeat(10) }),
      });
    }
  }
  return out;
}
