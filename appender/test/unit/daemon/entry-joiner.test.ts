import { expect } from 'chai';
import { MultilineJoiner, STACK_TRACE_CONTINUATION } from '@kinlog/core';
import {
  cannotContinueStackTrace,
  EntryJoiner,
  type EntryJoinerOptions,
} from '../../../src/daemon/entry-joiner.js';
import { LineSplitter } from '../../../src/daemon/line-splitter.js';

interface Entry {
  text: string;
  end: number;
  oneLine: boolean;
}

function join(options: EntryJoinerOptions, input: string, chunkBytes = 7): Entry[] {
  const out: Entry[] = [];
  const joiner = new EntryJoiner(options);
  joiner.sendTo({
    entry(buf, from, to, end, oneLine) {
      out.push({ text: buf.toString('utf8', from, to), end, oneLine });
    },
  });
  const splitter = new LineSplitter({ startOffset: 0, maxLineBytes: 1024, longLines: 'split' });
  const bytes = Buffer.from(input);
  // Fresh chunks, as the reader hands them: an open entry keeps ranges of earlier ones.
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    splitter.pushTo(Buffer.from(bytes.subarray(i, i + chunkBytes)), joiner);
  }
  splitter.finishTo(joiner);
  joiner.flush();
  return out;
}

const TRACE = [
  '2024-05-01 10:00:00 ERROR boom',
  'java.lang.IllegalStateException: bad',
  '\tat com.shop.Pay.run(Pay.java:12)',
  'Caused by: java.io.IOException: timeout',
  '\t... 12 more',
  '10.0.0.1 - - [01/May/2024:10:00:01 +0000] "GET / HTTP/1.1" 200 5',
  '{"level":"info","msg":"ok"}',
  '',
  '\tat a.B.c(B.java:1)',
];

describe('EntryJoiner', () => {
  it('an open entry detached from its chunks survives their reuse', () => {
    const out: Entry[] = [];
    const joiner = new EntryJoiner({ continuationPattern: STACK_TRACE_CONTINUATION });
    joiner.sendTo({
      // Each entry is used (made a string) at once, as the sink copies what it is put.
      entry(buf, from, to, end, oneLine) {
        out.push({ text: buf.toString('utf8', from, to), end, oneLine });
      },
    });
    const splitter = new LineSplitter({ startOffset: 0, maxLineBytes: 1024, longLines: 'split' });
    const input = Buffer.from(TRACE.join('\n') + '\n');
    // One read buffer for every chunk, as the reader uses it again: each chunk overwrites the
    // last, so only a detached entry keeps its bytes.
    const chunkBytes = 11;
    const reused = Buffer.alloc(chunkBytes);
    for (let i = 0; i < input.length; i += chunkBytes) {
      const n = input.copy(reused, 0, i, i + chunkBytes);
      splitter.pushTo(reused.subarray(0, n), joiner);
      joiner.detach();
      reused.fill(0x58);
    }
    splitter.finishTo(joiner);
    joiner.flush();
    expect(out.map((e) => e.text)).to.deep.equal([
      TRACE.slice(0, 5).join('\n'),
      TRACE[5],
      TRACE[6],
      TRACE.slice(7).join('\n'),
    ]);
  });

  it('joins a stack trace to its line, with the offset after its last line', () => {
    const input = TRACE.join('\n') + '\n';
    const out = join({ continuationPattern: STACK_TRACE_CONTINUATION }, input);
    expect(out.map((e) => e.text)).to.deep.equal([
      TRACE.slice(0, 5).join('\n'),
      TRACE[5],
      TRACE[6],
      TRACE.slice(7).join('\n'),
    ]);
    expect(out[0]).to.include({
      oneLine: false,
      end: Buffer.byteLength(TRACE.slice(0, 5).join('\n') + '\n'),
    });
    expect(out[1]!.oneLine).to.equal(true);
    expect(out[3]!.end).to.equal(Buffer.byteLength(input));
  });

  it('gives the same entries as the core MultilineJoiner, limits included', () => {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      lines.push(
        i % 7 === 0 ? `2024-05-01 10:00:${i % 60} line ${i}` : `\tat x.Y.m${i}(Y.java:${i})`,
      );
    }
    for (const options of [
      { continuationPattern: STACK_TRACE_CONTINUATION },
      { continuationPattern: STACK_TRACE_CONTINUATION, maxLines: 3 },
      { continuationPattern: STACK_TRACE_CONTINUATION, maxBytes: 80 },
      { startPattern: /^\d{4}-/ },
      { startPattern: /^\d{4}-/g, maxLines: 2 },
    ]) {
      const core = new MultilineJoiner(options);
      const expected: string[] = [];
      for (const l of lines) expected.push(...core.push(l));
      expected.push(...core.flush());
      const got = join(options, lines.join('\n') + '\n', 61).map((e) => e.text);
      expect(got, JSON.stringify(options)).to.deep.equal(expected);
    }
  });

  it('the first-byte shortcut never rejects a line the stack-trace pattern accepts', () => {
    const tails = [
      'at x',
      ' at x',
      'aused by: x',
      'uppressed: x',
      '.. 3 more',
      'a.b.CException: x',
      '.b.CError',
      'x.YThrowable:',
      '',
    ];
    for (let b = 0; b < 0x80; b++) {
      if (!cannotContinueStackTrace(b)) continue;
      for (const tail of tails) {
        const line = String.fromCharCode(b) + tail;
        expect(STACK_TRACE_CONTINUATION.test(line), JSON.stringify(line)).to.equal(false);
      }
    }
    expect(cannotContinueStackTrace('1'.charCodeAt(0))).to.equal(true);
    expect(cannotContinueStackTrace('{'.charCodeAt(0))).to.equal(true);
    expect(cannotContinueStackTrace('\t'.charCodeAt(0))).to.equal(false);
    expect(cannotContinueStackTrace(0xc2)).to.equal(false); // U+00A0 is whitespace to \s
  });
});
