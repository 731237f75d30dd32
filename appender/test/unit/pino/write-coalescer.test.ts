import { expect } from 'chai';
import {
  COALESCE_MAX_CHARS,
  coalesceWrites,
  type CoalescibleStream,
} from '../../../src/pino/write-coalescer.js';

/** A stand-in for thread-stream that records what reaches it, in order. */
function recordingStream(needDrain = false) {
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
  };
  coalesceWrites(stream);
  return { stream, calls };
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

  it("answers thread-stream's back-pressure while it holds lines", function () {
    const { stream } = recordingStream(true);
    expect(stream.write('a\n')).to.equal(false);
    stream.writableNeedDrain = false;
    expect(stream.write('b\n')).to.equal(true);
  });
});
