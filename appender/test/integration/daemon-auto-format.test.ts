/**
 * `kinlog ship` with its default parser (`auto`) on a file mixing formats, and its `line`
 * output mode, on real files and (for line mode) the local Kinesis.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import { deaggregate } from '../support/kpl-deaggregate.js';
import { Capture, shipConfig, tempDir } from '../support/ship-helpers.js';

const ACCESS_WITH_TIMINGS =
  '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /checkout HTTP/1.1" 502 12 "-" "curl/8" 0.412 "10.1.0.7:8080" "0.410" req-7f3a';
const MIXED = [
  '{"level":"warn","msg":"slow","ms":1200}',
  ACCESS_WITH_TIMINGS,
  '2024-10-10 13:55:36,123 ERROR [main] com.shop.Pay: payment failed',
  'java.lang.IllegalStateException: card declined',
  '\tat com.shop.Pay.charge(Pay.java:42)',
  'Caused by: java.io.IOException: timeout',
  '\tat com.shop.Net.call(Net.java:7)',
  '\t... 12 more',
  '<11>1 2024-10-10T13:55:37Z web-1 api 77 - - disk full',
  '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6',
  'node-7 RAS KERNEL FATAL data TLB error interrupt',
  'instruction cache parity error corrected',
];

async function dryRun(
  flow: Record<string, unknown>,
): Promise<{ out: Capture; daemon: ShipDaemon }> {
  const out = new Capture();
  const daemon = await ShipDaemon.start({
    config: shipConfig({ flows: [{ stream: 's', ...flow } as never] }),
    dryRun: true,
    once: true,
    stdout: out,
  });
  await daemon.done;
  return { out, daemon };
}

describe('kinlog ship: auto format and line output', function () {
  this.timeout(60_000);

  it('reads each line in its own format by default, one event per Java exception', async () => {
    const dir = await tempDir('ship-auto-');
    const file = join(dir, 'mixed.log');
    writeFileSync(file, MIXED.join('\n') + '\n');
    const { out, daemon } = await dryRun({ paths: [file] });
    const events = out.events();
    expect(events).to.have.length(7);
    expect(events[0]).to.include({ level: 'warn', msg: 'slow', ms: 1200 });
    // the text after the combined format, visible in --dry-run
    expect(events[1]).to.include({
      status: 502,
      level: 'error',
      path: '/checkout',
      extra: '0.412 "10.1.0.7:8080" "0.410" req-7f3a',
    });
    expect(events[2]).to.include({ level: 'error', msg: 'payment failed', logger: 'com.shop.Pay' });
    expect(String(events[2]!.stack))
      .to.include('java.lang.IllegalStateException: card declined')
      .and.include('Caused by: java.io.IOException: timeout')
      .and.include('... 12 more');
    expect(events[3]).to.include({ level: 'error', host: 'web-1', app: 'api', msg: 'disk full' });
    expect(events[4]).to.include({ level: 'error', apacheLevel: 'error' });
    // raw text: the line once, its level from its upper-case level word only
    expect(events[5]).to.include({ level: 'fatal', msg: MIXED[10] });
    expect(events[5]).not.to.have.property('raw');
    expect(events[6]).to.include({ msg: MIXED[11] });
    expect(events[6]).not.to.have.property('level');
    expect(events[6]).not.to.have.property('raw');
    for (const e of events) expect(e.source).to.equal(file);
    // Lines of one-line records are counted as read (a joined entry's are not, as before).
    expect(daemon.stats().counters).to.include({ linesRead: 6, parseErrors: 0 });
  });

  it('sends the JSON records of access lines written from their bytes as the dry run prints them, aggregated or not', async () => {
    const dir = await tempDir('ship-access-json-');
    const file = join(dir, 'access.log');
    const lines: string[] = [];
    for (let i = 0; i < 1_500; i++) {
      lines.push(
        `10.0.${i >> 8}.${i & 255} - - [10/Oct/2024:13:${String(i % 60).padStart(2, '0')}:0${i % 10} +0000] "GET /a/${i}?id=${i} HTTP/1.1" ${i % 7 === 0 ? 404 : 200} ${i} "-" "agent ${i}"`,
      );
      // Lines the string path writes: not plain, or not access lines.
      if (i % 100 === 0) {
        lines.push(
          `10.0.0.1 - - [10/Oct/2024:13:00:00 +0000] "GET /caf\u00e9/${i} HTTP/1.1" 200 1 "-" "a \\"q\\""`,
          MIXED[0]!,
          MIXED[10]!,
        );
      }
    }
    writeFileSync(file, lines.join('\r\n') + '\r\n');
    // The dry run prints each record as the careful (string) path encodes it.
    const { out } = await dryRun({ paths: [file], multiline: false });
    const want = out.lines().sort();
    expect(want).to.have.length(lines.length);

    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS;
    for (const aggregation of [false, true]) {
      const streamName = await createTestStream(2);
      const daemon = await ShipDaemon.start({
        config: shipConfig({
          stateDir: join(dir, `state-${aggregation}`),
          ...(endpoint === undefined ? {} : { endpoint }),
          sink: { flushIntervalMs: 50, aggregation },
          flows: [{ paths: [file], stream: streamName, multiline: false }],
        }),
        once: true,
      });
      await daemon.done;
      const records = await readAllRecords({
        streamName,
        ...(endpoint === undefined ? {} : { endpoint }),
      });
      const got = records
        .flatMap((r) =>
          aggregation
            ? deaggregate(r.data, r.partitionKey, r.sequenceNumber).map((u) =>
                Buffer.from(u.data, 'base64').toString('utf8'),
              )
            : [r.data.toString('utf8')],
        )
        .sort();
      expect(got, `aggregation ${aggregation}`).to.deep.equal(want);
    }
  });

  it('line output puts each line exactly as read, with the record delimiter when asked', async () => {
    const dir = await tempDir('ship-line-');
    const file = join(dir, 'app.log');
    const lines = [
      ACCESS_WITH_TIMINGS,
      '  indented text\twith tab ',
      '{"level":"error","msg":"x"}',
    ];
    writeFileSync(file, lines.join('\n') + '\n');

    const { out } = await dryRun({ paths: [file], output: 'line' });
    expect(out.text).to.equal(lines.join('\n') + '\n');

    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS;
    for (const recordDelimiter of [undefined, '\n'] as const) {
      const streamName = await createTestStream(1);
      const daemon = await ShipDaemon.start({
        config: shipConfig({
          stateDir: join(dir, `state-${recordDelimiter === undefined ? 'none' : 'nl'}`),
          ...(endpoint === undefined ? {} : { endpoint }),
          flows: [
            {
              paths: [file],
              stream: streamName,
              output: 'line',
              ...(recordDelimiter === undefined ? {} : { recordDelimiter }),
            },
          ],
        }),
        once: true,
      });
      await daemon.done;
      const records = await readAllRecords({
        streamName,
        ...(endpoint === undefined ? {} : { endpoint }),
      });
      expect(records.map((r) => r.data.toString('utf8'))).to.deep.equal(
        lines.map((l) => l + (recordDelimiter ?? '')),
      );
    }
  });
});
