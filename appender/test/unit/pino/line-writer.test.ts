import { expect } from 'chai';
import { once } from 'node:events';
import { LineWriter } from '../../../src/pino/line-writer.js';

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

  it('holds the write callback until ready() when a put asks to slow down', async function () {
    const lines: string[] = [];
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const { writer } = writerInto(lines, { full: () => lines.length === 1, ready: () => ready });
    let called = false;
    writer.write('x\ny\n', () => (called = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).to.deep.equal(['x', 'y']);
    expect(called).to.equal(false);
    const idle = writer.idle();
    release();
    await idle;
    await new Promise((resolve) => setImmediate(resolve));
    expect(called).to.equal(true);
  });
});
