/**
 * `kinlog ship --aggregate`: lines as read, packed into KPL aggregates (and gzipped with
 * `--compress gzip`, paced with `--rate-limit-fraction`), read back with the reference
 * de-aggregator: every line arrives, in order per file, in far fewer Kinesis records.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createTestStream, readAllRecords, type StreamRecord } from '@kinlog/testkit';
import { tempDir } from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';
import { deaggregate } from '../support/kpl-deaggregate.js';

const FILES = 3;
const LINES_PER_FILE = 2_000;

function userPayloads(r: StreamRecord): Buffer[] {
  return deaggregate(r.data, r.partitionKey, r.sequenceNumber).map((u) =>
    Buffer.from(u.data, 'base64'),
  );
}

/**
 * Ships the files and reads every line back. Keyed by file, a file's lines all go to one shard,
 * in order; under the sink's own keys (the default) they are spread over the shards, in order
 * on each.
 */
async function shipAndReadBack(
  flags: string[],
  gzipped: boolean,
  keyedByFile = true,
): Promise<void> {
  const streamName = await createTestStream(2);
  const dir = await tempDir('ship-agg-');
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const file = join(dir, `app-${f}.log`);
    let text = '';
    for (let i = 0; i < LINES_PER_FILE; i++) text += `file ${f} line ${i} ${'x'.repeat(i % 40)}\n`;
    writeFileSync(file, text);
    files.push(file);
  }
  const proc = spawnShip([
    '--once',
    '--stream',
    streamName,
    '--state-dir',
    join(dir, 'state'),
    '--output',
    'line',
    ...(keyedByFile ? ['--partition-key', 'file'] : []),
    ...flags,
    ...files,
  ]);
  expect((await proc.exited).code, proc.output()).to.equal(0);

  const records = await readAllRecords({ streamName });
  const byFile = new Map<number, number[]>();
  const byShardAndFile = new Map<string, number[]>();
  let users = 0;
  for (const r of records) {
    for (const payload of userPayloads(r)) {
      users++;
      if (gzipped) expect(payload[0]).to.equal(0x1f); // gzip magic
      const line = (gzipped ? gunzipSync(payload) : payload).toString('utf8');
      const m = /^file (\d+) line (\d+) x*$/.exec(line);
      expect(m, line).to.not.equal(null);
      const seen = byFile.get(Number(m![1])) ?? [];
      seen.push(Number(m![2]));
      byFile.set(Number(m![1]), seen);
      const where = `${r.shardId} file ${m![1]}`;
      byShardAndFile.set(where, [...(byShardAndFile.get(where) ?? []), Number(m![2])]);
    }
  }
  expect(users).to.equal(FILES * LINES_PER_FILE);
  const inOrder = Array.from({ length: LINES_PER_FILE }, (_, i) => i);
  for (let f = 0; f < FILES; f++) {
    const got = byFile.get(f) ?? [];
    if (!keyedByFile) got.sort((a, b) => a - b);
    expect(got, `file ${f}`).to.deep.equal(inOrder);
  }
  for (const [where, got] of byShardAndFile)
    expect(got, where).to.deep.equal([...got].sort((a, b) => a - b));
  if (!keyedByFile) expect(new Set(records.map((r) => r.shardId)).size).to.equal(2);
  // Aggregated: a few records per shard and flush, not one per line.
  expect(records.length).to.be.lessThan((FILES * LINES_PER_FILE) / 20);
}

describe('kinlog ship --aggregate (integration)', function () {
  this.timeout(90_000);

  it('packs lines into KPL aggregates that aws-kinesis-agg recovers, every line in order per file', async () => {
    await shipAndReadBack(['--aggregate'], false);
  });

  it('under its own keys, fills one-key aggregates on every shard straight from the read buffers', async () => {
    await shipAndReadBack(['--aggregate'], false, false);
  });

  it('gzips each line inside the aggregates and paces shards with --rate-limit-fraction', async () => {
    await shipAndReadBack(
      ['--aggregate', '--compress', 'gzip', '--rate-limit-fraction', '0.5'],
      true,
    );
  });

  it('rejects a rate-limit fraction outside (0, 1] and an unknown codec, naming the flag', async () => {
    const fraction = spawnShip(['--stream', 's', '--rate-limit-fraction', '1.5', 'a.log']);
    expect((await fraction.exited).code).to.not.equal(0);
    expect(fraction.output()).to.match(/--rate-limit-fraction.*greater than 0 and at most 1/);
    const codec = spawnShip(['--stream', 's', '--compress', 'zstd', 'a.log']);
    expect((await codec.exited).code).to.not.equal(0);
    expect(codec.output()).to.match(/--compress.*gzip/);
  });
});
