import { expect } from 'chai';
import { encodeEvent } from '../../../src/sink/encode-event.js';
import {
  KEY_BYTES_CACHE_KEYS,
  NO_ROOM,
  NOT_PLAIN,
  writePlainInfo,
} from '../../../src/winston/plain-info-writer.js';
import { winstonEvent } from '../../../src/winston/winston-event.js';
import { winstonRecord } from '../../../src/winston/winston-record.js';
import { bigInfos, infoOf, NON_ASCII, oddInfos } from './support/odd-infos.js';

/** Where a line is written in the tests: not at 0, so that nothing before it may change. */
const AT = 7;
const FILL = 0xaa;

function written(info: Record<string, unknown>, room: number): { end: number; buf: Buffer } {
  const buf = Buffer.alloc(AT + room + 8, FILL);
  return { end: writePlainInfo(info, buf, AT, AT + room), buf };
}

describe('writePlainInfo', () => {
  for (const { name, info } of [...oddInfos(), ...bigInfos()]) {
    it(`writes encodeEvent(winstonEvent(info)) byte for byte, or says it cannot: ${name}`, () => {
      const expected = Buffer.from(encodeEvent(winstonEvent(info)));
      const { end, buf } = written(info, 1 << 22);
      expect(buf.subarray(0, AT).every((b) => b === FILL)).to.equal(true);
      if (end === NOT_PLAIN) {
        // Only an info JSON.stringify cannot be trusted with on its own is refused.
        expect(winstonRecord(info)).to.equal(expected.toString());
        return;
      }
      expect(end, 'written').to.be.above(AT);
      expect(buf.subarray(AT, end).equals(expected), buf.toString('utf8', AT, end)).to.equal(true);
    });
  }

  it('takes the usual request log and the plain odd ones, refuses the others', () => {
    const outcome = new Map(oddInfos().map(({ name, info }) => [name, written(info, 1 << 20).end]));
    for (const name of [
      'request log',
      'non-ASCII',
      'non-ASCII level',
      'keys and text that need escapes',
      'numbers JSON writes its own way',
      'own stack undefined',
      'inherited stack string',
      'many distinct keys',
      'nothing but undefined',
    ]) {
      expect(outcome.get(name), name).to.be.above(AT);
    }
    for (const name of [
      'circular meta',
      'BigInt',
      'error with cause',
      'field named like ours',
      'keys JSON writes first or not at all',
      'own __proto__ field',
      'function with toJSON',
      'time as a Date',
    ]) {
      expect(outcome.get(name), name).to.equal(NOT_PLAIN);
    }
  });

  it('says NO_ROOM for every room short of the line, and writes it in exactly its size', () => {
    for (const info of [
      infoOf('info', 'request completed', { page: '/a', status: 200, ok: true, n: null }),
      infoOf('info', NON_ASCII, { [NON_ASCII]: 'x', after: 'é' }),
      { message: undefined, level: undefined, time: Symbol('t') },
    ]) {
      const expected = Buffer.from(encodeEvent(winstonEvent(info)));
      for (let room = 0; room < expected.length; room++) {
        const { end, buf } = written(info, room);
        expect(end, `room ${room}`).to.equal(NO_ROOM);
        expect(
          buf.subarray(AT + room).every((b) => b === FILL),
          `past room ${room}`,
        ).to.equal(true);
      }
      const { end, buf } = written(info, expected.length);
      expect(buf.subarray(AT, end).equals(expected)).to.equal(true);
    }
  });

  it('writes keys right past the key cache bound', () => {
    const fields = Object.fromEntries(
      Array.from({ length: KEY_BYTES_CACHE_KEYS * 2 }, (_, i) => [`cache-${i}`, i]),
    );
    for (let i = 0; i < 2; i++) {
      const info = infoOf('info', 'wide', fields);
      const { end, buf } = written(info, 1 << 20);
      expect(buf.toString('utf8', AT, end)).to.equal(encodeEvent(winstonEvent(info)));
    }
  });

  it('throws where reading the info throws (a getter), like winstonRecord', () => {
    const info = infoOf('info', 'hostile');
    Object.defineProperty(info, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    expect(() => writePlainInfo(info, Buffer.alloc(1024), 0, 1024)).to.throw('getter');
  });

  it('takes the current time when the info has none', () => {
    const before = Date.now();
    const { end, buf } = written({ level: 'info', message: 'no time' }, 1024);
    const out = JSON.parse(buf.toString('utf8', AT, end)) as { time: string; msg: string };
    expect(Date.parse(out.time)).to.be.within(before, Date.now());
    expect(out.msg).to.equal('no time');
  });
});
