import { expect } from 'chai';
import { encodeEvent } from '../../../src/sink/encode-event.js';
import { faithfulFields } from '../../../src/winston/faithful-fields.js';
import {
  CIRCULAR_MARKER,
  DEPTH_MARKER,
  MAX_EVENT_DEPTH,
  needsJsonSafe,
} from '../../../src/sink/json-safe.js';

describe('encodeEvent', () => {
  it('encodes plain events with JSON.stringify', () => {
    expect(encodeEvent({ level: 'info', msg: 'hi', n: 1 })).to.equal(
      '{"level":"info","msg":"hi","n":1}',
    );
  });

  it('passes strings through untouched', () => {
    expect(encodeEvent('{"already":"json"}')).to.equal('{"already":"json"}');
  });

  it('replaces circular references instead of throwing', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a, 1];
    expect(JSON.parse(encodeEvent(a))).to.deep.equal({
      name: 'a',
      self: '[Circular]',
      list: ['[Circular]', 1],
    });
  });

  it('keeps shared (non-circular) references intact', () => {
    const shared = { x: 1 };
    expect(JSON.parse(encodeEvent({ a: shared, b: shared }))).to.deep.equal({
      a: { x: 1 },
      b: { x: 1 },
    });
  });

  it('turns BigInt into decimal strings', () => {
    expect(JSON.parse(encodeEvent({ big: 12345678901234567890n }))).to.deep.equal({
      big: '12345678901234567890',
    });
  });

  it('writes a UTF-8 Buffer as its text, alone in an event', () => {
    expect(JSON.parse(encodeEvent({ buf: Buffer.from('héllo') }))).to.deep.equal({
      buf: 'héllo',
    });
  });

  it('writes a Buffer that is not UTF-8 as lossless base64, alone in an event', () => {
    const bytes = Buffer.from([0x68, 0x69, 0xff, 0xfe]);
    const out = JSON.parse(encodeEvent({ buf: bytes })) as {
      buf: { type: string; base64: string };
    };
    expect(out.buf).to.deep.equal({ type: 'Buffer', base64: bytes.toString('base64') });
    expect(Buffer.from(out.buf.base64, 'base64').equals(bytes)).to.equal(true);
    const typed = JSON.parse(encodeEvent({ u: new Uint8Array([0xff]) })) as { u: unknown };
    expect(typed.u).to.deep.equal({ type: 'Uint8Array', base64: '/w==' });
  });

  it('encodes an Error alone with name, message, stack, own fields and its cause chain', () => {
    const root = Object.assign(new RangeError('disk full'), { code: 'ENOSPC', path: '/var' });
    const err = Object.assign(new TypeError('boom', { cause: root }), { status: 503 });
    const out = JSON.parse(encodeEvent({ level: 'error', msg: 'x', err })) as {
      err: Record<string, unknown> & { cause: Record<string, unknown> };
    };
    expect(out.err).to.include({ name: 'TypeError', message: 'boom', status: 503 });
    expect(out.err.stack).to.be.a('string').and.contain('boom');
    expect(out.err.cause).to.include({
      name: 'RangeError',
      message: 'disk full',
      code: 'ENOSPC',
      path: '/var',
    });
    expect(out.err.cause.stack).to.contain('disk full');
  });

  it('encodes an Error given as the whole event, and a cause cycle ends in a marker', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const out = JSON.parse(encodeEvent(b)) as { message: string; cause: Record<string, unknown> };
    expect(out.message).to.equal('b');
    expect(out.cause).to.include({ message: 'a', cause: CIRCULAR_MARKER });
  });

  it('keeps the errors of an AggregateError', () => {
    const out = JSON.parse(
      encodeEvent({ err: new AggregateError([new Error('one'), 'two'], 'both') }),
    ) as { err: { name: string; errors: unknown[] } };
    expect(out.err.name).to.equal('AggregateError');
    expect(out.err.errors).to.have.length(2);
    expect(out.err.errors[0]).to.include({ message: 'one' });
    expect(out.err.errors[1]).to.equal('two');
  });

  it('writes a Map alone as an object, or as [key, value] pairs when keys are not strings', () => {
    const byName = new Map<string, unknown>([
      ['a', 1],
      ['b', { c: new Set([1]) }],
    ]);
    expect(JSON.parse(encodeEvent({ m: byName }))).to.deep.equal({ m: { a: 1, b: { c: [1] } } });
    const byNumber = new Map<unknown, unknown>([
      [1, 'one'],
      [{ k: 2 }, 'two'],
    ]);
    expect(JSON.parse(encodeEvent({ m: byNumber }))).to.deep.equal({
      m: [
        [1, 'one'],
        [{ k: 2 }, 'two'],
      ],
    });
  });

  it('writes a Set alone as an array', () => {
    expect(JSON.parse(encodeEvent({ s: new Set(['a', 'b']) }))).to.deep.equal({ s: ['a', 'b'] });
  });

  it('writes a Date alone as ISO time, an invalid one as "Invalid Date"', () => {
    const at = new Date(Date.UTC(2024, 4, 1, 10, 0, 0, 5));
    expect(encodeEvent({ at })).to.equal('{"at":"2024-05-01T10:00:00.005Z"}');
    expect(JSON.parse(encodeEvent({ at: new Date(NaN) }))).to.deep.equal({ at: 'Invalid Date' });
  });

  it('cuts nesting deeper than MAX_EVENT_DEPTH with a marker and keeps the top fields', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const line = encodeEvent({ time: 't', level: 'error', msg: 'deep', status: 500, deep });
    const out = JSON.parse(line) as Record<string, unknown>;
    expect(out).to.include({ time: 't', level: 'error', msg: 'deep', status: 500 });
    let node: unknown = out.deep;
    let levels = 0;
    while (typeof node === 'object' && node !== null) {
      node = (node as Record<string, unknown>).a;
      levels++;
    }
    expect(node).to.equal(DEPTH_MARKER);
    expect(levels).to.equal(MAX_EVENT_DEPTH);
  });

  it('leaves plain data to JSON.stringify', () => {
    const plain = { a: [1, { b: 'x' }], d: new Date(0), n: null };
    expect(needsJsonSafe(plain)).to.equal(false);
    expect(encodeEvent(plain)).to.equal(JSON.stringify(plain));
    for (const odd of [{ e: new Error('x') }, { m: new Map() }, { b: Buffer.alloc(1) }, [1n]]) {
      expect(needsJsonSafe(odd)).to.equal(true);
    }
  });

  it('drops functions, symbols and undefined but keeps null', () => {
    expect(
      JSON.parse(encodeEvent({ f: () => 1, s: Symbol('x'), u: undefined, n: null })),
    ).to.deep.equal({ n: null });
  });

  it('never throws on hostile getters or toJSON', () => {
    const hostile = {
      get bad(): never {
        throw new Error('getter');
      },
      toJSON(): never {
        throw new Error('toJSON');
      },
    };
    expect(encodeEvent(hostile)).to.equal('"[Unserializable]"');
    const getterOnly = {
      ok: 1,
      get bad(): never {
        throw new Error('getter');
      },
    };
    expect(JSON.parse(encodeEvent(getterOnly))).to.deep.equal({ ok: 1, bad: '[Unreadable]' });
  });

  it('encodes top-level undefined as null', () => {
    expect(encodeEvent(undefined)).to.equal('null');
  });
});

describe('faithfulFields (winston format)', () => {
  it('makes fields faithful in place and never throws on a hostile getter', () => {
    const info: Record<string, unknown> = {
      level: 'error',
      message: 'x',
      err: new Error('boom'),
      get bad(): never {
        throw new Error('getter');
      },
    };
    const out = faithfulFields().transform(info);
    expect(out).to.equal(info);
    expect(out.err).to.include({ name: 'Error', message: 'boom' });
    expect(out.bad).to.equal('[Unreadable]');
    expect(JSON.parse(JSON.stringify(out))).to.include({ level: 'error', message: 'x' });
  });
});
