import { expect } from 'chai';
import { accessJsonWasmOf, accessJsonWriterOf, accessLineReaderOf, getParser } from '@kinlog/core';
import type { KinesisSink, LineRange, SettleResult } from '../../../src/sink/kinesis-sink.js';
import { RecordEncoder } from '../../../src/daemon/record-encoder.js';
import { RecordShipper } from '../../../src/daemon/record-shipper.js';
import { resolveShipConfig, type ShipFlowInput } from '../../../src/daemon/ship-config.js';
import { emptyShipCounters } from '../../../src/daemon/ship-counters.js';
import { TrackedFile } from '../../../src/daemon/tracked-file.js';
import { Capture } from '../../support/ship-helpers.js';

/** A sink that holds what is put until the test settles it. */
class HoldingSink {
  readonly puts: { data: string | Uint8Array; key: string | undefined }[] = [];
  /** Each record's text as it was put (a buffer's range may be written again once put). */
  readonly texts: string[] = [];
  readonly settles: ((res: SettleResult, records: number) => void)[] = [];
  /** Calls of putLines: the callback of each, and how many lines it took. */
  readonly runs: { onSettled: (res: SettleResult, records: number) => void; lines: number }[] = [];
  putEncoded(
    data: string | Uint8Array,
    key?: string,
    onSettled?: (r: SettleResult, records: number) => void,
  ) {
    this.puts.push({ data, key });
    this.texts.push(Buffer.from(data).toString());
    this.settles.push(onSettled!);
    return true;
  }
  putLines(lines: LineRange, onSettled?: (r: SettleResult, records: number) => void) {
    this.runs.push({ onSettled: onSettled!, lines: lines.to - lines.from });
    for (let i = lines.from; i < lines.to; i++)
      this.putEncoded(lines.buf.subarray(lines.starts[i], lines.ends[i]), undefined, onSettled);
    return true;
  }
  ack(i: number): void {
    this.settles[i]!({ ok: true, shardId: 's', sequenceNumber: String(i) }, 1);
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(
  flowInput: Partial<ShipFlowInput>,
  maxUncommittedRecords: number,
  maxUncommittedBytes?: number,
  fromBytes: boolean | 'wasm' = false,
) {
  const flow = resolveShipConfig({
    flows: [{ paths: ['/logs/a.log'], stream: 's', multiline: false, ...flowInput }],
  }).flows[0]!;
  const sink = new HoldingSink();
  const counters = emptyShipCounters();
  let progress = 0;
  const urgent: boolean[] = [];
  const encoder = new RecordEncoder(
    flow,
    getParser(flow.parser),
    'h',
    fromBytes ? accessLineReaderOf(flow.parser) : undefined,
    fromBytes === 'wasm'
      ? accessJsonWasmOf(flow.parser, {})
      : fromBytes
        ? accessJsonWriterOf(flow.parser)
        : undefined,
  );
  const shipper = new RecordShipper(flow, encoder, counters, {
    sink: sink as unknown as KinesisSink,
    stdout: new Capture(),
    onProgress: (u) => {
      progress++;
      urgent.push(u);
    },
    maxUncommittedRecords,
    maxUncommittedBytes,
    pollIntervalMs: 10,
  });
  const t = new TrackedFile(flow, {
    path: '/logs/a.log',
    dev: 1,
    ino: 2,
    fingerprint: Buffer.alloc(0),
    handle: undefined as never,
    offset: 0,
    size: 0,
  });
  return {
    sink,
    shipper,
    t,
    counters,
    progress: () => progress,
    urgent,
    encoder,
    acked: undefined as number | undefined,
  };
}

const lines = (n: number, from = 0) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `line ${from + i}\n`).join(''));

describe('RecordShipper', () => {
  it('line output puts each line as a range of its chunk, the delimiter kept from the line end', () => {
    const { sink, shipper, t } = setup({ output: 'line', recordDelimiter: '\n' }, 100);
    const chunk = Buffer.from('a\r\nb\n\nc\n');
    shipper.take(t, chunk);
    shipper.pump();
    const data = sink.puts.map((p) => Buffer.from(p.data).toString());
    expect(data).to.deep.equal(['a\n', 'b\n', 'c\n']);
    // "b\n" is the chunk's own bytes, not a copy.
    expect((sink.puts[1]!.data as Buffer).buffer).to.equal(chunk.buffer);
  });

  it('acks a batch only when every record in it is acknowledged, in file order', () => {
    const { sink, shipper, t, counters } = setup({ output: 'line' }, 8); // batches of 2
    const chunk = lines(5);
    shipper.take(t, chunk);
    shipper.pump();
    expect(sink.puts).to.have.length(5);
    sink.ack(1);
    sink.ack(3);
    sink.ack(2);
    expect(t.offsets.committed).to.equal(0); // record 0 is still out
    sink.ack(0);
    expect(t.offsets.committed).to.equal(lines(4).length);
    sink.ack(4);
    expect(t.offsets.committed).to.equal(chunk.length);
    expect(counters).to.include({ recordsShipped: 5, recordsAcked: 5, linesRead: 5 });
  });

  it('takes a run of lines settled in one call as that many records settled', () => {
    const { sink, shipper, t, counters } = setup({ output: 'line' }, 100);
    const chunk = lines(6);
    shipper.take(t, chunk);
    shipper.pump();
    expect(sink.runs.map((r) => r.lines)).to.deep.equal([6]);
    const run = sink.runs[0]!.onSettled;
    run({ ok: true, shardId: 's', sequenceNumber: '1' }, 4);
    expect(t.offsets.committed).to.equal(0); // two records are still out
    run({ ok: false, reason: 'closed' }, 2);
    expect(t.offsets.committed).to.equal(0); // dropped for a retry next run: not acked
    expect(counters.recordsAcked).to.equal(4);
    expect(counters.recordsDropped).to.deep.equal({ closed: 2 });
    const ok = setup({ output: 'line' }, 100);
    ok.shipper.take(ok.t, chunk);
    ok.shipper.pump();
    ok.sink.runs[0]!.onSettled({ ok: true, shardId: 's', sequenceNumber: '1' }, 6);
    expect(ok.t.offsets.committed).to.equal(chunk.length);
    expect(ok.counters.recordsAcked).to.equal(6);
  });

  it('never puts more than the commit window, and a record dropped for a retry holds its batch', () => {
    const { sink, shipper, t } = setup({ output: 'line' }, 4); // batches of 1
    shipper.take(t, lines(10));
    shipper.pump();
    expect(sink.puts).to.have.length(4);
    expect(shipper.queued).to.equal(6);
    sink.settles[0]!({ ok: false, reason: 'rejected' }, 1);
    for (const i of [1, 2, 3]) sink.ack(i);
    expect(t.offsets.committed).to.equal(0);
    expect(t.offsets.pending).to.equal(10);
  });

  it('a full window asks for an immediate commit only once a quarter of it is acknowledged', () => {
    const { sink, shipper, t, urgent } = setup({ output: 'line' }, 4096); // batches of 512
    shipper.take(t, lines(4200));
    shipper.pump();
    expect(sink.puts).to.have.length(4096);
    expect(shipper.window.full).to.equal(true);
    // One batch acknowledged, an eighth of the window: the timed commit groups it.
    for (let i = 0; i < 512; i++) sink.ack(i);
    expect(urgent).to.deep.equal([false]);
    // A quarter acknowledged: committing now frees room to read on.
    for (let i = 512; i < 1024; i++) sink.ack(i);
    expect(urgent).to.deep.equal([false, true]);
    expect(shipper.window.acked).to.equal(1024);
    shipper.window.release(t.offsets.committedRecords, t.offsets.committedBytes);
    expect(shipper.window.acked).to.equal(0);
    expect(shipper.window.full).to.equal(false);
  });

  it('JSON output encodes each line and puts the record delimiter after it', () => {
    const { sink, shipper, t } = setup({ parser: 'json', recordDelimiter: '\n' }, 100);
    shipper.take(t, Buffer.from('{"msg":"hi"}\n'));
    shipper.pump();
    const text = String(sink.puts[0]!.data);
    expect(text.endsWith('}\n')).to.equal(true);
    expect(JSON.parse(text)).to.include({ msg: 'hi', source: '/logs/a.log', host: 'h' });
  });

  it("JSON output puts the records written from access lines' bytes as the careful encoder would", () => {
    const access = (i: number) =>
      `10.0.${i >> 8}.${i & 255} - - [10/Oct/2024:13:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /a/${i}?id=${i} HTTP/1.1" ${i % 9 === 0 ? 503 : 200} ${i} "-" "agent ${i}"`;
    const odd = [
      '10.0.0.1 - - [10/Oct/2024:13:00:00 +0000] "GET /caf\u00e9 HTTP/1.1" 200 1 "-" "x"',
      '10.0.0.1 - - [10/Oct/2024:13:00:00 +0000] "GET /\\x HTTP/1.1" 200 1 "-" "a \\"q\\""',
      '10.0.0.1 - - [10/Oct/2024:13:00:00 +0000] "GET /crlf HTTP/1.1" 200 1\r',
      '{"msg":"json","level":"warn"}',
      'plain text ERROR',
      `10.0.0.1 - - [10/Oct/2024:13:00:00 +0000] "GET /${'long'.repeat(40_000)} HTTP/1.1" 200 1`,
    ];
    // Enough lines to fill several record buffers, odd ones between them.
    const text: string[] = [];
    for (let i = 0; i < 3_000; i++)
      text.push(i % 97 === 0 ? odd[(i / 97) % odd.length]! : access(i));
    const chunk = Buffer.from(text.join('\n') + '\n');
    for (const input of [
      {},
      { recordDelimiter: '\n' as const, partitionKey: 'file' as const },
      { recordDelimiter: '\r\n' as const, fields: { env: 'prod' } },
    ]) {
      const puts = ([false, true, 'wasm'] as const).map((fromBytes) => {
        const { sink, shipper, t } = setup(input, 100_000, undefined, fromBytes);
        // Lines split across reads, as the reader hands them over.
        shipper.take(t, chunk.subarray(0, 100_001));
        shipper.take(t, chunk.subarray(100_001));
        shipper.pump();
        const fromBuffers = sink.puts.filter((p) => typeof p.data !== 'string').length;
        // The plain access lines are written from bytes (the CRLF one too: its line ends before
        // the CR); of the odd ones, the others are not.
        expect(fromBuffers).to.equal(fromBytes ? 3_000 - 26 : 0);
        return sink.texts.map((data, i) => ({ data, key: sink.puts[i]!.key }));
      });
      expect(puts[1]!.length).to.equal(3_000);
      expect(puts[1], JSON.stringify(input)).to.deep.equal(puts[0]);
      expect(puts[2], JSON.stringify(input)).to.deep.equal(puts[0]);
    }
  });

  it("writes access records into the WebAssembly writer's buffers, used again once put, fresh ones when none is free", () => {
    const access = (i: number) =>
      `10.0.${i >> 8}.${i & 255} - user${i % 7} [10/Oct/2024:13:${String(i % 60).padStart(2, '0')}:${String(i % 61).padStart(2, '0')} +0130] "GET /shop/items/${i}?page=${i % 13}&ref=${'r'.repeat(i % 40)} HTTP/1.1" ${i % 11 === 0 ? 404 : 200} ${i * 7} "https://example.com/${i % 5}" "Mozilla/5.0 (X11; Linux x86_64) agent/${i}"`;
    const chunkOf = (from: number, n: number) =>
      Buffer.from(
        Array.from({ length: n }, (_, k) =>
          (from + k) % 101 === 0 ? 'not an access line' : access(from + k),
        ).join('\n') + '\n',
      );
    const runs = [false, 'wasm'] as const;
    const [careful, wasm] = runs.map((fromBytes) => setup({}, 1_000_000, undefined, fromBytes));
    const memory = wasm!.encoder.recordBuffers[0]!.buffer;
    const inMemory = (from: number) =>
      wasm!.sink.puts
        .slice(from)
        .filter((p) => typeof p.data !== 'string' && p.data.buffer === memory).length;
    // 1. Taken without a put between: more records than its buffers hold; the rest go into
    //    buffers of their own.
    let line = 0;
    for (const run of [careful!, wasm!]) {
      for (let c = 0; c < 50; c++) run.shipper.take(run.t, chunkOf(c * 400, 400));
      run.shipper.pump();
    }
    line = 50 * 400;
    const first = wasm!.sink.puts.length;
    expect(first).to.equal(line);
    expect(inMemory(0)).to.be.above(5_000);
    expect(first - inMemory(0)).to.be.above(5_000); // not a string: a fresh buffer's range
    // 2. Put as they come: its buffers are free again and used over and over.
    for (let c = 0; c < 60; c++) {
      for (const run of [careful!, wasm!]) {
        run.shipper.take(run.t, chunkOf(line, 300));
        run.shipper.pump();
      }
      line += 300;
    }
    // All but the records of the fresh buffer in use when the puts began (it is filled first).
    expect(inMemory(first)).to.be.above(60 * 300 - 1_000);
    expect(wasm!.sink.texts).to.deep.equal(careful!.sink.texts);
    expect(wasm!.sink.texts).to.have.length(line);
  });

  it("never writes over a record in the WebAssembly writer's buffers before it is put", () => {
    const access = (i: number) =>
      `10.1.${i >> 8}.${i & 255} - - [11/Oct/2024:0${i % 10}:00:${String(i % 60).padStart(2, '0')} -0700] "POST /api/v${i % 3}/orders/${i} HTTP/2.0" ${i % 17 === 0 ? 500 : 201} ${i} "-" "client/${'x'.repeat(i % 90)}"`;
    // A window smaller than the read-ahead: records wait in the queue while others are put, and
    // the buffers they were written into must wait with them.
    const runs = ([false, 'wasm'] as const).map((fromBytes) =>
      setup({}, 2_000, undefined, fromBytes),
    );
    let line = 0;
    let waiting = 0;
    const settle = (run: (typeof runs)[number], keep: number) => {
      // Acknowledge all but the last `keep` put, and commit: the window frees that many.
      const { sink, shipper } = run;
      for (let i = run.acked ?? 0; i < sink.puts.length - keep; i++) sink.ack(i);
      run.acked = Math.max(run.acked ?? 0, sink.puts.length - keep);
      shipper.window.release(shipper.window.acked);
      shipper.pump();
    };
    for (let c = 0; c < 40; c++) {
      const chunk = Buffer.from(
        Array.from({ length: 600 }, (_, k) => access(line + k)).join('\n') + '\n',
      );
      line += 600;
      for (const run of runs) {
        run.shipper.take(run.t, chunk);
        run.shipper.pump();
        settle(run, 1_500);
        waiting = Math.max(waiting, run.shipper.queued);
      }
    }
    for (const run of runs) while (run.shipper.queued > 0) settle(run, 0);
    const [careful, wasm] = runs;
    expect(wasm!.sink.puts.length).to.equal(line);
    expect(waiting).to.be.above(3_000); // records were waiting all along
    expect(wasm!.sink.texts).to.deep.equal(careful!.sink.texts);
  });

  it('holds the bytes put and not committed to the byte bound, cutting batches to fit', () => {
    // "line N" records of 6 or 7 bytes; 40 bytes allowed: batches close at 10 bytes.
    const { sink, shipper, t } = setup({ output: 'line' }, 1000, 40);
    shipper.take(t, lines(20));
    shipper.pump();
    const put = () => sink.puts.reduce((n, p) => n + p.data.length, 0);
    expect(put()).to.be.within(40, 46);
    for (let i = 0; i < sink.puts.length; i++) sink.ack(i);
    const acked = sink.puts.length;
    // Acknowledged is not durable: nothing more goes out until the commit is written.
    shipper.pump();
    expect(sink.puts).to.have.length(acked);
    shipper.window.release(t.offsets.committedRecords, t.offsets.committedBytes);
    shipper.pump();
    expect(sink.puts.length).to.be.above(acked);
  });
});
