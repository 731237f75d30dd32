import { expect } from 'chai';
import { encodeEvent } from '../../../src/sink/encode-event.js';

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

  it('decodes Buffers as UTF-8 with replacement characters for invalid bytes', () => {
    const out = JSON.parse(encodeEvent({ b: 1n, buf: Buffer.from([0x68, 0x69, 0xff, 0xfe]) })) as {
      buf: string;
    };
    expect(out.buf).to.equal('hi\uFFFD\uFFFD');
  });

  it('encodes Errors with name, message and stack', () => {
    const err = new TypeError('boom');
    const out = JSON.parse(encodeEvent({ err, n: 1n })) as {
      err: { name: string; message: string; stack: string };
    };
    expect(out.err.name).to.equal('TypeError');
    expect(out.err.message).to.equal('boom');
    expect(out.err.stack).to.contain('boom');
  });

  it('drops functions, symbols and undefined but keeps null', () => {
    expect(
      JSON.parse(encodeEvent({ f: () => 1, s: Symbol('x'), u: undefined, n: null, big: 1n })),
    ).to.deep.equal({ n: null, big: '1' });
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
