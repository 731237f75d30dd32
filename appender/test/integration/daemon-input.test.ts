/**
 * The daemon on real files of every format and on bad input, printing events (dry run) so the
 * shipped shape can be checked without Kinesis.
 */
import { expect } from 'chai';
import { closeSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ShipDaemon } from '../../src/daemon/index.js';
import { Capture, shipConfig, tempDir, waitFor } from '../support/ship-helpers.js';

async function dryRunOnce(
  flows: Parameters<typeof shipConfig>[0]['flows'],
): Promise<{ events: Record<string, unknown>[]; warnings: string[]; daemon: ShipDaemon }> {
  const out = new Capture();
  const daemon = await ShipDaemon.start({
    config: shipConfig({ flows }),
    dryRun: true,
    once: true,
    stdout: out,
  });
  const warnings: string[] = [];
  daemon.on('warning', (w) => warnings.push(w));
  await daemon.done;
  return { events: out.events(), warnings, daemon };
}

describe('kinlog ship: formats and bad input', function () {
  this.timeout(30_000);

  it('ships each format in the shared event shape, joining stack traces, never dropping a line', async () => {
    const dir = await tempDir('ship-formats-');
    writeFileSync(
      join(dir, 'access.log'),
      '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /checkout HTTP/1.1" 503 12 "https://shop/" "curl/8"\n' +
        '10.0.0.2 - bob [10/Oct/2024:13:55:37 +0000] "POST /api HTTP/1.1" 200 7\n' +
        'not an access log line\n',
    );
    writeFileSync(
      join(dir, 'app.log'),
      '2024-10-10 13:55:36,123 ERROR [main] com.shop.Pay: payment failed\n' +
        'java.lang.IllegalStateException: card declined\n' +
        '\tat com.shop.Pay.charge(Pay.java:42)\n' +
        'Caused by: java.io.IOException: timeout\n' +
        '\tat com.shop.Net.call(Net.java:7)\n' +
        '2024-10-10 13:55:37,000 INFO [main] com.shop.Pay: retry ok\n',
    );
    writeFileSync(
      join(dir, 'events.jsonl'),
      '{"level":"warn","msg":"slow","ms":1200}\n{broken json\n',
    );
    writeFileSync(
      join(dir, 'error.log'),
      '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n',
    );
    const { events } = await dryRunOnce([
      {
        name: 'web',
        paths: [join(dir, 'access.log')],
        stream: 's',
        parser: 'nginx',
        fields: { service: 'web', env: 'test' },
      },
      { name: 'app', paths: [join(dir, 'app.log')], stream: 's', parser: 'log4j' },
      { name: 'json', paths: [join(dir, '*.jsonl')], stream: 's', parser: 'json' },
      { name: 'err', paths: [join(dir, 'error.log')], stream: 's', parser: 'apacheError' },
    ]);
    const bySource = (name: string) => events.filter((e) => e.source === join(dir, name));
    const web = bySource('access.log');
    expect(web).to.have.length(3);
    expect(web[0]).to.include({
      status: 503,
      method: 'GET',
      path: '/checkout',
      clientIp: '10.0.0.1',
      service: 'web',
      env: 'test',
    });
    expect(web[0]!.time).to.equal('2024-10-10T13:55:36.000Z');
    // The text once, where every event has it.
    expect(web[2]).to.include({ parseError: true, msg: 'not an access log line' });
    expect(web[2]).to.not.have.property('raw');
    const app = bySource('app.log');
    expect(app).to.have.length(2);
    expect(app[0]).to.include({ level: 'error', msg: 'payment failed' });
    expect(String(app[0]!.stack))
      .to.include('Caused by: java.io.IOException: timeout')
      .and.include('Net.java:7');
    expect(app[1]).to.include({ level: 'info', msg: 'retry ok' });
    const json = bySource('events.jsonl');
    expect(json[0]).to.include({ level: 'warn', msg: 'slow', ms: 1200 });
    expect(json[1]).to.include({ parseError: true });
    expect(bySource('error.log')[0]).to.include({ level: 'error' });
    for (const e of events) expect(e.host).to.be.a('string');
  });

  it('splits a 5 MB line into counted pieces, flags invalid UTF-8, skips a binary file with a warning', async () => {
    const dir = await tempDir('ship-bad-');
    const big = 'z'.repeat(5 * 1024 * 1024);
    writeFileSync(join(dir, 'big.log'), `before\n${big}\nafter\n`);
    writeFileSync(
      join(dir, 'latin1.log'),
      Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    writeFileSync(join(dir, 'old.log.gz'), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x0a]));
    const { events, warnings, daemon } = await dryRunOnce([
      { paths: [join(dir, '*')], stream: 's', parser: 'raw' },
    ]);
    const bigEvents = events.filter((e) => e.source === join(dir, 'big.log'));
    expect(bigEvents.map((e) => e.msg).join('')).to.equal(`before${big}after`);
    expect(bigEvents.filter((e) => e.kinlogLineCut === 'split')).to.have.length(9);
    const latin = events.find((e) => e.source === join(dir, 'latin1.log'))!;
    expect(latin).to.include({ msg: 'caf\uFFFD', kinlogInvalidUtf8: true });
    expect(warnings.join('\n')).to.include('old.log.gz').and.include('binary');
    const c = daemon.stats().counters;
    expect(c).to.include({ linesSplit: 9, invalidUtf8Lines: 1, binaryFilesSkipped: 1 });
  });

  it('truncates long lines when asked, counting them', async () => {
    const dir = await tempDir('ship-trunc-');
    writeFileSync(join(dir, 'a.log'), `${'q'.repeat(3000)}\nnext\n`);
    const { events, daemon } = await dryRunOnce([
      { paths: [join(dir, 'a.log')], stream: 's', maxLineBytes: 1024, longLines: 'truncate' },
    ]);
    expect(events.map((e) => [String(e.msg).length, e.kinlogLineCut])).to.deep.equal([
      [1024, 'truncated'],
      [4, undefined],
    ]);
    expect(daemon.stats().counters.linesTruncated).to.equal(1);
  });

  it('finishes a file deleted while open, then lets it go', async () => {
    const dir = await tempDir('ship-deleted-');
    const file = join(dir, 'gone.log');
    const fd = openSync(file, 'w');
    writeSync(fd, 'one\ntwo\n');
    const out = new Capture();
    const daemon = await ShipDaemon.start({
      config: shipConfig({ flows: [{ paths: [file], stream: 's' }] }),
      dryRun: true,
      stdout: out,
    });
    await waitFor(() => out.lines().length === 2, 'the first lines');
    unlinkSync(file);
    writeSync(fd, 'three\nfour without newline');
    closeSync(fd);
    await waitFor(
      () => daemon.stats().counters.filesReleased === 1,
      'the deleted file to be let go',
      10_000,
    );
    await daemon.stop();
    expect(out.events().map((e) => e.msg)).to.deep.equal([
      'one',
      'two',
      'three',
      'four without newline',
    ]);
  });

  it('joins a stack trace still being written, shipping it after the multi-line timeout', async () => {
    const dir = await tempDir('ship-ml-');
    const file = join(dir, 'app.log');
    writeFileSync(file, '2024-10-10 13:55:36,123 ERROR [main] a.B: boom\n');
    const out = new Capture();
    const daemon = await ShipDaemon.start({
      config: shipConfig({
        flows: [
          {
            paths: [file],
            stream: 's',
            parser: 'log4j',
            multiline: { startPattern: '^\\d{4}-', timeoutMs: 300 },
          },
        ],
      }),
      dryRun: true,
      stdout: out,
    });
    await delay(100);
    writeFileSync(
      file,
      '2024-10-10 13:55:36,123 ERROR [main] a.B: boom\njava.lang.Error: x\n\tat a.B.c(B.java:1)\n',
    );
    await waitFor(() => out.lines().length === 1, 'the joined entry after its timeout');
    await daemon.stop();
    expect(out.events()[0]).to.include({ level: 'error', msg: 'boom' });
    expect(String(out.events()[0]!.stack)).to.include('B.java:1');
  });
});
