import { expect } from 'chai';
import { mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getParser } from '@kinlog/core';
import { FileReader } from '../../../src/daemon/file-reader.js';
import { FINGERPRINT_BYTES, readFingerprint } from '../../../src/daemon/file-identity.js';
import { RecordEncoder } from '../../../src/daemon/record-encoder.js';
import { RecordShipper } from '../../../src/daemon/record-shipper.js';
import { resolveShipConfig, ShipDefaults } from '../../../src/daemon/ship-config.js';
import { emptyShipCounters } from '../../../src/daemon/ship-counters.js';
import { TrackedFile } from '../../../src/daemon/tracked-file.js';
import type { KinesisSink, LineRange, SettleCallback } from '../../../src/sink/kinesis-sink.js';
import { Capture } from '../../support/ship-helpers.js';

describe('FileReader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kinlog-reader-'));
  after(() => rm(dir, { recursive: true, force: true }));

  it('an unchanged file costs a stat and no read; a same-size refill is still caught', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first line\n');
    const calls = { stat: 0, read: 0 };
    const replaced: number[] = [];
    const heads: Buffer[] = [];
    const { flow, t, out, shipper, reader, real } = await dryRunReader(
      file,
      (real) =>
        ({
          stat: () => (calls.stat++, real.stat()),
          read: (...args: Parameters<FileHandle['read']>) => (calls.read++, real.read(...args)),
        }) as unknown as FileHandle,
      (_t, _h, head, size) => {
        replaced.push(size);
        heads.push(head);
      },
    );
    try {
      await reader.readTurn(t);
      shipper.drain(t, true);
      expect(out.text).to.equal('first line\n');
      // Idle: the scan's stat of the path shows nothing moved, so the handle is not touched.
      const st = statSync(file);
      t.observe(st.size, st.mtimeMs);
      const before = { ...calls };
      expect(await reader.readTurn(t)).to.equal(false);
      expect(calls).to.deep.equal(before);
      // Without a scan's stat (a file that left the globs): one stat, still no read.
      expect(await reader.readTurn(t)).to.equal(false);
      expect(calls).to.deep.equal({ stat: before.stat + 1, read: before.read });
      // Refilled to the same size: the mtime moved, the first bytes are read, the change seen.
      writeFileSync(file, 'other line\n');
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      const st2 = statSync(file);
      t.observe(st2.size, st2.mtimeMs);
      expect(await reader.readTurn(t)).to.equal(true);
      expect(replaced).to.deep.equal([st2.size]);
      // The head handed over is its own copy: the reader's next check of another file reuses
      // its buffer without changing the fingerprint the new tracker keeps.
      const file2 = join(dir, 'other.log');
      writeFileSync(file2, 'zzzzzzzzzzzzzzzzzzzz\n');
      const real2 = await open(file2, 'r');
      try {
        const t2 = new TrackedFile(flow, {
          path: file2,
          dev: 0,
          ino: 1,
          fingerprint: await readFingerprint(real2),
          handle: real2,
          offset: 0,
          size: 0,
        });
        await reader.readTurn(t2);
        expect(heads[0]!.toString()).to.equal('other line\n');
      } finally {
        await real2.close();
      }
    } finally {
      await real.close();
    }
  });

  /**
   * A reader printing what it ships (dry run) of `file`, through the handle `wrap` makes of the
   * real one; `replaced` is told of a file found refilled.
   */
  async function dryRunReader(
    file: string,
    wrap: (real: FileHandle) => FileHandle,
    replaced: ConstructorParameters<typeof FileReader>[2]['replaced'],
  ) {
    const flow = resolveShipConfig({
      flows: [{ paths: [file], stream: 's', output: 'line', multiline: false }],
    }).flows[0]!;
    const real = await open(file, 'r');
    const t = new TrackedFile(flow, {
      path: file,
      dev: 0,
      ino: 0,
      fingerprint: await readFingerprint(real),
      handle: wrap(real),
      offset: 0,
      size: 0,
    });
    const out = new Capture();
    const counters = emptyShipCounters();
    const shipper = new RecordShipper(
      flow,
      new RecordEncoder(flow, getParser('raw'), 'h'),
      counters,
      {
        sink: undefined,
        stdout: out,
        onProgress() {},
        maxUncommittedRecords: 10,
        pollIntervalMs: 10,
      },
    );
    const reader = new FileReader(shipper, counters, {
      replaced,
      warnOnce: (_p, m) => expect.fail(m),
      describe: (_p, err) => String(err),
    });
    return { flow, t, out, shipper, reader, real };
  }

  /** A dry-run reader over a handle that counts its head and chunk reads. */
  async function counting(file: string, onChunkRead?: (n: number) => void) {
    const reads = { head: 0, chunk: 0 };
    const replaced: string[] = [];
    const { t, out, reader, real } = await dryRunReader(
      file,
      (real) =>
        ({
          stat: () => real.stat(),
          read: async (buf: Buffer, off: number, len: number, pos: number) => {
            const r = await real.read(buf, off, len, pos);
            if (pos === 0 && len === FINGERPRINT_BYTES) reads.head++;
            else {
              reads.chunk++;
              onChunkRead?.(reads.chunk);
            }
            return r;
          },
        }) as unknown as FileHandle,
      (_t, _h, head) => replaced.push(head.toString()),
    );
    return { t, out, reads, reader, replaced, close: () => real.close() };
  }

  const bigLog = (tag: string, bytes: number) => {
    const line = (i: number) => `${tag} ${String(i).padStart(8, '0')} ${'x'.repeat(80)}\n`;
    const n = Math.ceil(bytes / line(0).length);
    return Array.from({ length: n }, (_, i) => line(i)).join('');
  };

  it('checks the first bytes once per span of reads, and ships every byte read', async () => {
    const file = join(dir, 'big.log');
    const text = bigLog('old', Math.round(2.5 * 1024 * 1024));
    writeFileSync(file, text);
    const r = await counting(file);
    try {
      while (await r.reader.readTurn(r.t));
      expect(r.out.text).to.equal(text);
      const chunks = Math.ceil(text.length / ShipDefaults.READ_CHUNK_BYTES);
      expect(r.reads.chunk).to.equal(chunks);
      // One check before reading, one after each 1 MiB span (not one per 256 KiB chunk).
      expect(r.reads.head).to.equal(1 + Math.ceil(text.length / (1024 * 1024)));
      expect(r.reads.head).to.be.below(1 + chunks);
    } finally {
      await r.close();
    }
  });

  /**
   * Reads a 3 MiB file with stack traces through a shipper whose sink copies each record as it
   * is put and answers later, within a commit window of `maxUncommittedRecords`; checks that
   * every byte arrived as read and that the read buffers were used again.
   */
  async function readThroughReusedBuffers(name: string, maxUncommittedRecords: number) {
    const file = join(dir, name);
    // Lines of varied length with stack traces between them (joined entries cross chunks).
    let text = '';
    for (let i = 0; text.length < 3 * 1024 * 1024; i++) {
      text += `${i} ${'y'.repeat(i % 300)}\n`;
      if (i % 97 === 0) text += `\tat a.B.c(B.java:${i})\n\tat d.E.f(E.java:${i})\n`;
    }
    writeFileSync(file, text);
    const flow = resolveShipConfig({
      flows: [{ paths: [file], stream: 's', output: 'line', recordDelimiter: '\n' }],
    }).flows[0]!;
    expect(flow.multiline).to.not.equal(undefined);
    const real = await open(file, 'r');
    const readInto = new Set<ArrayBufferLike>();
    let chunkReads = 0;
    const t = new TrackedFile(flow, {
      path: file,
      dev: 0,
      ino: 0,
      fingerprint: await readFingerprint(real),
      handle: {
        stat: () => real.stat(),
        read: (buf: Buffer, off: number, len: number, pos: number) => {
          if (!(pos === 0 && len === FINGERPRINT_BYTES)) {
            chunkReads++;
            readInto.add(buf.buffer);
          }
          return real.read(buf, off, len, pos);
        },
      } as unknown as FileHandle,
      offset: 0,
      size: 0,
    });
    // A sink as the real one: it copies each record as it is put, and answers later, so that
    // records wait in the shipper's queue (ranges of their chunks) while reading goes on.
    const received: string[] = [];
    const unsettled: (() => void)[] = [];
    const settleSoon = () =>
      setImmediate(() => {
        for (const settle of unsettled.splice(0, 300)) settle();
      });
    const sink = {
      putEncoded(data: string | Uint8Array, _key?: string, onSettled?: SettleCallback) {
        received.push(Buffer.from(data).toString());
        unsettled.push(() => onSettled!({ ok: true, shardId: 's', sequenceNumber: '1' }, 1));
        settleSoon();
        return true;
      },
      putLines(lines: LineRange, onSettled?: SettleCallback) {
        for (let i = lines.from; i < lines.to; i++)
          this.putEncoded(lines.buf.subarray(lines.starts[i], lines.ends[i]), undefined, onSettled);
        return true;
      },
      ready: () => Promise.resolve(),
      flush: () => Promise.resolve(),
    };
    const counters = emptyShipCounters();
    const released = { records: 0, bytes: 0 };
    const shipper: RecordShipper = new RecordShipper(
      flow,
      new RecordEncoder(flow, getParser('raw'), 'h'),
      counters,
      {
        sink: sink as unknown as KinesisSink,
        stdout: new Capture(),
        // Acknowledged is committed here: the window frees as the answers come.
        onProgress: () => {
          const { committedRecords, committedBytes } = t.offsets;
          shipper.window.release(
            committedRecords - released.records,
            committedBytes - released.bytes,
          );
          released.records = committedRecords;
          released.bytes = committedBytes;
        },
        maxUncommittedRecords,
        pollIntervalMs: 1,
      },
    );
    const reader = new FileReader(shipper, counters, {
      replaced: () => expect.fail('not replaced'),
      warnOnce: (_p, m) => expect.fail(m),
      describe: (_p, err) => String(err),
    });
    try {
      while (await reader.readTurn(t));
      shipper.drain(t, true);
      while (shipper.queued > 0) {
        shipper.pump();
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(received.join('')).to.equal(text);
      expect(chunkReads).to.equal(Math.ceil(text.length / ShipDefaults.READ_CHUNK_BYTES));
      // Buffers were read into again: far fewer than the chunks read.
      expect(readInto.size).to.be.below(chunkReads / 2);
    } finally {
      await real.close();
    }
  }

  it('reads into buffers used again only once every record of them was put', async () => {
    // A small window: records wait in the queue, as ranges of their chunks, while reading goes on.
    await readThroughReusedBuffers('queued.log', 1_000);
  });

  it('an open multi-line entry keeps its bytes when its chunk is read into again', async () => {
    // A wide window: every record is put at once, so a chunk is free again at the next read
    // while the entry its last line opened is still open.
    await readThroughReusedBuffers('open-entry.log', 1_000_000);
  });

  it('a refill between two reads of a span ships nothing of the span and hands over the new head', async () => {
    const file = join(dir, 'refilled.log');
    writeFileSync(file, bigLog('old', 900 * 1024));
    const fresh = bigLog('new', 1200 * 1024);
    const r = await counting(file, (n) => {
      // After the second chunk of the span, the file is truncated and refilled past its size.
      if (n === 2) writeFileSync(file, fresh);
    });
    try {
      expect(await r.reader.readTurn(r.t)).to.equal(true);
      expect(r.replaced).to.have.length(1);
      expect(r.replaced[0]).to.equal(fresh.slice(0, FINGERPRINT_BYTES));
      // Nothing read in the span was shipped: the chunks read after the refill hold new lines.
      expect(r.out.text).to.equal('');
      expect(r.t.readPos).to.equal(0);
    } finally {
      await r.close();
    }
  });
});
