/**
 * `kinlog ship` with no `--parser` on an Apache access log, then `kinlog analyze` with its
 * default parser: the errors must be the ones the Apache parser finds, whichever way ship
 * writes the records (parsed JSON events, or the lines as read with a newline delimiter).
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Analyzer, type TopNResult } from '@kinlog/analyzer';
import { resolveShipConfig, ShipDaemon } from '@kinlog/appender/daemon';
import { getParser } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';

const APACHE_LOG = fileURLToPath(
  new URL('../../../analyzer/test/fixtures/formats/apache-combined.log', import.meta.url),
);

async function analyze(stream: string): Promise<{ result: TopNResult; formats: object }> {
  const analyzer = new Analyzer({ name: 'e2e', stream, topN: 50, minCallIntervalMs: 0 });
  try {
    return await analyzer.wholeStream();
  } finally {
    analyzer.close();
  }
}

function byKey(result: TopNResult): Record<string, number> {
  return Object.fromEntries(result.rows.map((r) => [`${r.region} ${r.page}`, r.count]));
}

describe('ship (no --parser) then analyze (default parser), end to end', function () {
  this.timeout(120_000);

  it('finds the errors the Apache parser finds, as JSON events and as plain lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-auto-'));
    const file = join(dir, 'access.log');
    copyFileSync(APACHE_LOG, file);
    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
    const results: { result: TopNResult; formats: object }[] = [];
    for (const output of [{}, { output: 'line', recordDelimiter: '\n' }] as const) {
      const stream = await createTestStream(1);
      const daemon = await ShipDaemon.start({
        config: resolveShipConfig({
          stateDir: join(dir, `state-${results.length}`),
          endpoint,
          statsIntervalMs: 0,
          flows: [{ paths: [file], stream, ...output }],
        }),
        once: true,
      });
      await daemon.done;
      results.push(await analyze(stream));
    }
    const [json, lines] = results;

    // What the Apache parser makes of the file: an error per 4xx/5xx line.
    const parse = getParser('apache');
    const statuses = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => parse(l).status ?? 0);
    const expected = statuses.filter((s) => s >= 400).length;
    expect(expected).to.be.greaterThan(50);

    expect(json!.result.totals.errors).to.equal(expected);
    expect(json!.result.totals.errors5xx).to.equal(statuses.filter((s) => s >= 500).length);
    expect(json!.formats).to.deep.include({ json: statuses.length });
    expect(lines!.result.totals.errors).to.equal(expected);
    expect(lines!.formats).to.deep.include({ access: statuses.length });
    expect(byKey(lines!.result)).to.deep.equal(byKey(json!.result));
  });
});
