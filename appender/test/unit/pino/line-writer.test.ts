import { expect } from 'chai';
import { once } from 'node:events';
import { LINE_RUN_CHARS, LineWriter } from '../../../src/pino/line-writer.js';

function writerInto(
  lines: string[],
  opts: { full?: () => boolean; ready?: () => Promise<void> } = {},
) {
  let closed = 0;
  const writer = new LineWriter({
    put: (line) => {
      lines.push(line);
      return !(opts.full?.() ?? false);
    },
    ready: opts.ready ?? (() => Promise.resolve()),
    close: () => {
      closed++;
      return Promise.resolve();
    },
  });
  return { writer, closes: () => closed };
}

describe('LineWriter', function () {
  it('puts every line, joining lines split across chunks and skipping empty ones', async function () {
    const lines: string[] = [];
    const { writer, closes } = writerInto(lines);
    writer.write('{"a":1}\n{"b":');
    writer.write('2}\n\n{"c":"é"}\n{"d"');
    writer.end(':4}');
    await once(writer, 'close');
    expect(lines).to.deep.equal(['{"a":1}', '{"b":2}', '{"c":"é"}', '{"d":4}']);
    expect(closes()).to.equal(1);
  });

  it('puts no further line of the chunk, and holds its callback, until ready() when a put asks to wait', async function () {
    const lines: string[] = [];
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const { writer } = writerInto(lines, { full: () => lines.length === 1, ready: () => ready });
    let called = false;
    writer.write('x\ny\nz', () => (called = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).to.deep.equal(['x']);
    expect(called).to.equal(false);
    const idle = writer.idle();
    release();
    await idle;
    expect(lines).to.deep.equal(['x', 'y']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(called).to.equal(true);
    writer.end();
    await once(writer, 'close');
    expect(lines).to.deep.equal(['x', 'y', 'z']);
  });

  it('splits chunks of any shape exactly as one split of the whole text', async function () {
    // Odd shapes: a line across many chunks, chunks without a newline, newlines only, empty
    // chunks, multi-byte characters, a carried tail meeting a chunk that starts with '\n'.
    const text =
      '{"a":1}\n{"long":"' +
      'x'.repeat(5000) +
      '"}\n\n\n{"é":"ü€"}\n{"b":2}\n' +
      '{"c":3}\n'.repeat(50) +
      '{"tail":1}';
    const expected = text.split('\n').filter((l) => l.length > 0);
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let trial = 0; trial < 40; trial++) {
      const lines: string[] = [];
      // Every third trial, some puts ask to wait (at the first line of a chunk, inside one, at
      // its last line): the lines are the same, in the same order.
      const waits = trial % 3 === 2 ? 1 + (trial % 5) : 0;
      const { writer } = writerInto(lines, {
        full: () => waits > 0 && lines.length % waits === 0,
        ready: () => new Promise((resolve) => setImmediate(resolve)),
      });
      for (let at = 0; at < text.length;) {
        const size = trial === 0 ? 1 : next() % (trial < 20 ? 16 : 6000);
        const piece = text.slice(at, at + size);
        writer.write(trial % 2 === 0 ? piece : Buffer.from(piece));
        at += size;
      }
      writer.end();
      await once(writer, 'close');
      expect(lines, `trial ${trial}`).to.deep.equal(expected);
    }
  });

  it('hands lines over in runs with putLines exactly as one split of the whole text, waiting where a run asks to', async function () {
    // Lines of many lengths (one longer than a run), multi-byte characters, empty lines; chunks
    // from one character to several runs long.
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) parts.push(`{"i":${i},"s":"${'é€x'.repeat(next() % 90)}"}`);
    parts.splice(1500, 0, 'y'.repeat(LINE_RUN_CHARS + 100), '', '');
    const text = parts.join('\n') + '\n{"tail":1}';
    const expected = text.split('\n').filter((l) => l.length > 0);
    for (let trial = 0; trial < 12; trial++) {
      const lines: string[] = [];
      const given: { buf: Buffer; was: Buffer }[] = [];
      let runs = 0;
      const waits = trial % 2 === 1;
      const writer = new LineWriter({
        put: (line) => {
          lines.push(line);
          return true;
        },
        putLines: (r) => {
          runs++;
          // Given away: the sink may hold the run in it, so nothing may write into it later.
          expect(r.owned).to.equal(true);
          given.push({ buf: r.buf, was: Buffer.from(r.buf) });
          for (let i = r.from; i < r.to; i++) {
            expect(r.ends[i]! > r.starts[i]!, 'no empty line').to.equal(true);
            lines.push(r.buf.toString('utf8', r.starts[i], r.ends[i]));
          }
          return !(waits && runs % 3 === 0);
        },
        ready: () => new Promise((resolve) => setImmediate(resolve)),
        close: () => Promise.resolve(),
      });
      for (let at = 0; at < text.length;) {
        const size =
          trial === 0 ? text.length : 1 + (next() % (trial < 6 ? 3 * LINE_RUN_CHARS : 4000));
        writer.write(text.slice(at, at + size));
        at += size;
      }
      writer.end();
      await once(writer, 'close');
      expect(lines, `trial ${trial}`).to.deep.equal(expected);
      expect(runs, `trial ${trial}`).to.be.above(trial === 0 ? 2 : 0);
      for (const g of given) expect(g.buf.equals(g.was), `trial ${trial}`).to.equal(true);
    }
  });
});
