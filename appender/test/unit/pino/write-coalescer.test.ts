import { expect } from 'chai';
import { StringDecoder } from 'node:string_decoder';
import {
  COALESCE_MAX_CHARS,
  coalesceWrites,
  type CoalescibleStream,
} from '../../../src/pino/write-coalescer.js';

/** A stand-in for thread-stream that records what reaches it, in order. */
function recordingStream(needDrain = false, withChannel = false) {
  const calls: string[] = [];
  const stream: CoalescibleStream & { writableNeedDrain: boolean } = {
    writableNeedDrain: needDrain,
    write(data: string | Buffer) {
      calls.push(typeof data === 'string' ? `write:${data}` : `buffer:${data.toString()}`);
      return !this.writableNeedDrain;
    },
    flush(cb) {
      calls.push('flush');
      cb?.();
    },
    flushSync() {
      calls.push('flushSync');
    },
    end() {
      calls.push('end');
    },
    emit(event, error) {
      calls.push(`${event}:${error.message}`);
      return true;
    },
  };
  let idle = true;
  let putAll: () => void = () => {};
  const channel = {
    post: (text: string) => {
      calls.push(`post:${text}`);
      idle = false;
    },
    get idle() {
      return idle;
    },
    waitPut: () => {
      calls.push('waitPut');
      idle = true;
    },
    whenPut: () => {
      calls.push('whenPut');
      return new Promise<void>((resolve) => {
        putAll = () => {
          idle = true;
          resolve();
        };
      });
    },
  };
  coalesceWrites(stream, withChannel ? channel : undefined);
  return { stream, calls, putAll: () => putAll() };
}

const nextMicrotask = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('coalesceWrites', function () {
  it('hands the lines of one tick over joined, in order, at the end of the tick', async function () {
    const { stream, calls } = recordingStream();
    expect(stream.write('a\n')).to.equal(true);
    stream.write('bb\n');
    stream.write('é\n');
    expect(calls).to.deep.equal([]);
    await nextMicrotask();
    expect(calls).to.deep.equal(['write:a\nbb\né\n']);
    stream.write('c\n');
    await nextMicrotask();
    expect(calls).to.deep.equal(['write:a\nbb\né\n', 'write:c\n']);
  });

  it('hands over at once when the joined text reaches COALESCE_MAX_CHARS', function () {
    const { stream, calls } = recordingStream();
    const line = 'x'.repeat(999) + '\n';
    const perHandOver = Math.ceil(COALESCE_MAX_CHARS / line.length);
    for (let i = 0; i < perHandOver * 2; i++) stream.write(line);
    expect(calls).to.deep.equal([
      `write:${line.repeat(perHandOver)}`,
      `write:${line.repeat(perHandOver)}`,
    ]);
  });

  it('hands what is pending over before flush, flushSync and end (pino calls them at exit)', function () {
    const { stream, calls } = recordingStream();
    stream.write('a\n');
    stream.flushSync();
    stream.write('b\n');
    let flushed = false;
    stream.flush(() => (flushed = true));
    stream.write('c\n');
    stream.end();
    stream.end();
    expect(calls).to.deep.equal([
      'write:a\n',
      'flushSync',
      'write:b\n',
      'flush',
      'write:c\n',
      'end',
      'end',
    ]);
    expect(flushed).to.equal(true);
  });

  it('keeps the order when a Buffer is written between strings', async function () {
    const { stream, calls } = recordingStream();
    stream.write('a\n');
    (stream.write as (data: string | Buffer) => boolean)(Buffer.from('b\n'));
    stream.write('c\n');
    await nextMicrotask();
    expect(calls).to.deep.equal(['write:a\n', 'buffer:b\n', 'write:c\n']);
  });

  it('with a channel, posts the joined text there instead, and waits for it to be put before flushSync and end', async function () {
    const { stream, calls, putAll } = recordingStream(false, true);
    stream.write('a\n');
    stream.write('b\n');
    await nextMicrotask();
    stream.write('c\n');
    stream.flush();
    stream.write('d\n');
    stream.flushSync();
    stream.write('e\n');
    stream.end();
    expect(calls.slice(-2)).to.deep.equal(['post:e\n', 'whenPut']);
    // Lines written after end are refused, as thread-stream refuses them.
    expect(stream.write('f\n')).to.equal(false);
    await new Promise((resolve) => setImmediate(resolve));
    putAll();
    await nextMicrotask();
    await nextMicrotask();
    expect(calls).to.deep.equal([
      'post:a\nb\n',
      'post:c\n',
      // FLUSH follows the lines on the worker's port: no wait needed.
      'flush',
      'post:d\n',
      'waitPut',
      'flushSync',
      'post:e\n',
      'whenPut',
      'error:the worker is ending',
      'end',
    ]);
  });

  it('with a channel, ends at once when the worker has put everything', function () {
    const { stream, calls } = recordingStream(false, true);
    stream.write('a\n');
    stream.flushSync();
    stream.end();
    expect(calls).to.deep.equal(['post:a\n', 'waitPut', 'flushSync', 'end']);
  });

  it('with a channel, turns Buffers written into text exactly as the worker would decode the bytes', function () {
    const euro = Buffer.from('€');
    const chunks: (string | Buffer)[] = [
      'a\n',
      euro.subarray(0, 1),
      euro.subarray(1), // a character split between two Buffers
      Buffer.from([0x0a, 0xe2, 0x82]), // a cut character, then a string
      'b\n',
      Buffer.from([0xf0, 0x9f]),
      '', // an empty string changes nothing
      Buffer.from([0x98, 0x80, 0x0a, 0xff, 0x0a]),
      Buffer.from([0xc3]), // cut at the end
    ];
    // thread-stream: the bytes of every write, one decoder over them in the worker, ended.
    const decoder = new StringDecoder('utf8');
    const worker =
      chunks.map((c) => decoder.write(typeof c === 'string' ? Buffer.from(c) : c)).join('') +
      decoder.end();
    const { stream, calls } = recordingStream(false, true);
    const write = (data: string | Buffer): boolean =>
      (stream.write as (data: string | Buffer) => boolean)(data);
    for (const c of chunks) write(c);
    stream.end();
    const posted = calls.filter((c) => c.startsWith('post:')).map((c) => c.slice(5));
    expect(posted.join('')).to.equal(worker);
    expect(Buffer.from(posted.join(''))).to.deep.equal(Buffer.from(worker));
  });

  it("answers thread-stream's back-pressure while it holds lines", function () {
    const { stream } = recordingStream(true);
    expect(stream.write('a\n')).to.equal(false);
    stream.writableNeedDrain = false;
    expect(stream.write('b\n')).to.equal(true);
  });
});
