import { expect } from 'chai';
import { once } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
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

  it('puts bytes written to it exactly as thread-stream decoding the same bytes and writing the text would', async function () {
    // Odd inputs: CRLF, empty lines, a line longer than a run, multi-byte characters split
    // between writes, invalid UTF-8 (a stray continuation byte, a cut sequence before a newline,
    // an overlong form), a last line without a newline.
    let seed = 5;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const pieces: Buffer[] = [];
    for (let i = 0; i < 2500; i++) {
      const line = `{"i":${i},"s":"${'é€😀x'.repeat(next() % 40)}"}`;
      pieces.push(Buffer.from(i % 7 === 3 ? `${line}\r\n` : `${line}\n`));
      if (i % 211 === 5) pieces.push(Buffer.from('\n\n'));
      if (i % 397 === 11) pieces.push(Buffer.from([0x7b, 0x80, 0x7d, 0x0a]));
      if (i % 401 === 13) pieces.push(Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0xc0, 0xaf, 0x0a]));
      if (i === 1200) pieces.push(Buffer.from('z'.repeat(LINE_RUN_CHARS + 77) + '\n'));
    }
    pieces.push(Buffer.from('{"tail":"ü'));
    const bytes = Buffer.concat(pieces);

    /** What a writer puts, as the bytes of each line, from `chunks` written in turn. */
    const linesPut = async (chunks: (string | Buffer)[], runs: boolean, waits: boolean) => {
      const got: string[] = [];
      let direct = 0;
      let calls = 0;
      const hold = (): boolean => waits && ++calls % 4 === 0;
      const writer = new LineWriter({
        put: (line) => {
          got.push(Buffer.from(line).toString('hex'));
          return !hold();
        },
        ...(runs && {
          putLines: (r) => {
            if (chunks.includes(r.buf)) direct++;
            for (let i = r.from; i < r.to; i++)
              got.push(r.buf.toString('hex', r.starts[i], r.ends[i]));
            return !hold();
          },
        }),
        ready: () => new Promise((resolve) => setImmediate(resolve)),
        close: () => Promise.resolve(),
      });
      for (const c of chunks) writer.write(c);
      writer.end();
      await once(writer, 'close');
      return { got, direct };
    };

    for (let trial = 0; trial < 16; trial++) {
      // Whole messages of lines (as the line channel posts them) or cut anywhere.
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length;) {
        let size = 1 + (next() % (trial < 8 ? 20_000 : 300));
        if (trial % 4 === 0) {
          const nl = bytes.indexOf(0x0a, at + size);
          size = (nl === -1 ? bytes.length : nl + 1) - at;
        }
        chunks.push(bytes.subarray(at, at + size));
        at += size;
      }
      // thread-stream's worker: one decoder over every chunk, its text written, its end at the end.
      const decoder = new StringDecoder('utf8');
      const texts = chunks.map((c) => decoder.write(c));
      texts.push(decoder.end());
      const runs = trial % 2 === 0;
      const waits = trial % 3 === 1;
      const careful = await linesPut(texts, runs, waits);
      const fast = await linesPut(
        chunks.map((c) => Buffer.from(c)),
        runs,
        waits,
      );
      expect(fast.got, `trial ${trial}`).to.deep.equal(careful.got);
      expect(careful.got.length, `trial ${trial}`).to.be.above(2500);
      // Whole lines of valid UTF-8 go in as ranges of the buffer written, not decoded.
      if (runs && trial % 4 === 0) expect(fast.direct, `trial ${trial}`).to.be.above(10);
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
