import { expect } from 'chai';
import { mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getParser } from '@kinlog/core';
import { FileReader } from '../../../src/daemon/file-reader.js';
import { readFingerprint } from '../../../src/daemon/file-identity.js';
import { RecordEncoder } from '../../../src/daemon/record-encoder.js';
import { RecordShipper } from '../../../src/daemon/record-shipper.js';
import { resolveShipConfig } from '../../../src/daemon/ship-config.js';
import { emptyShipCounters } from '../../../src/daemon/ship-counters.js';
import { TrackedFile } from '../../../src/daemon/tracked-file.js';
import { Capture } from '../../support/ship-helpers.js';

describe('FileReader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kinlog-reader-'));
  after(() => rm(dir, { recursive: true, force: true }));

  it('an unchanged file costs a stat and no read; a same-size refill is still caught', async () => {
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first line\n');
    const flow = resolveShipConfig({
      flows: [{ paths: [file], stream: 's', output: 'line', multiline: false }],
    }).flows[0]!;
    const real = await open(file, 'r');
    const calls = { stat: 0, read: 0 };
    const handle = {
      stat: () => (calls.stat++, real.stat()),
      read: (...args: Parameters<FileHandle['read']>) => (calls.read++, real.read(...args)),
    } as unknown as FileHandle;
    const t = new TrackedFile(flow, {
      path: file,
      dev: 0,
      ino: 0,
      fingerprint: await readFingerprint(real),
      handle,
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
    const replaced: number[] = [];
    const heads: Buffer[] = [];
    const reader = new FileReader(shipper, counters, {
      replaced: (_t, _h, head, size) => {
        replaced.push(size);
        heads.push(head);
      },
      warnOnce: (_p, m) => expect.fail(m),
      describe: (_p, err) => String(err),
    });
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
});
