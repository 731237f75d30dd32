import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@kinlog/core';
import { loadShipConfig } from '../../../src/daemon/load-ship-config.js';
import { ShipDefaults, resolveShipConfig } from '../../../src/daemon/ship-config.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('ship config', () => {
  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf(() =>
      resolveShipConfig({
        pollIntervalMs: -1,
        flows: [
          { paths: ['/a.log'], stream: 'ok' },
          {
            paths: [],
            stream: 'bad stream',
            parser: 'xml',
            startAt: 'middle',
            multiline: { startPattern: '(' },
          },
        ],
        extra: 1,
      }),
    );
    expect(problems).to.include(
      'flows[1].parser: expected one of auto|json|apache|nginx|log4j|apacheError|syslog|raw',
    );
    expect(problems).to.include('flows[1].paths: expected at least one path or glob');
    expect(problems.some((p) => p.startsWith('flows[1].stream: '))).to.equal(true);
    expect(problems).to.include('flows[1].startAt: expected head or tail');
    expect(
      problems.some((p) =>
        p.startsWith('flows[1].multiline.startPattern: not a valid regular expression'),
      ),
    ).to.equal(true);
    expect(problems.some((p) => p.startsWith('pollIntervalMs: '))).to.equal(true);
    expect(problems.some((p) => p.includes('extra'))).to.equal(true);
  });

  it('applies defaults: head, auto, json output, split, log4j joined by its start pattern', () => {
    const c = resolveShipConfig(
      {
        flows: [
          { paths: ['x'], stream: 's', parser: 'log4j' },
          { paths: ['y'], stream: 's' },
          { paths: ['z'], stream: 's', parser: 'nginx' },
        ],
      },
      { KINLOG_STATE_DIR: '/var/lib/k' },
    );
    expect(c.stateDir).to.equal('/var/lib/k');
    expect(c.flows[0]!.startAt).to.equal('head');
    expect(c.flows[0]!.multiline?.startPattern?.test('2024-01-01 10:00:00 INFO x')).to.equal(true);
    expect(c.flows[1]!.parser).to.equal('auto');
    expect(c.flows[1]!.output).to.equal('json');
    expect(c.flows[1]!.recordDelimiter).to.equal('');
    // auto joins Java stack-trace continuations to the line before them
    expect(c.flows[1]!.multiline?.continuationPattern?.test('\tat a.B.c(B.java:1)')).to.equal(true);
    expect(c.flows[1]!.multiline?.startPattern).to.equal(undefined);
    expect(c.flows[1]!.longLines).to.equal('split');
    expect(c.flows[2]!.multiline).to.equal(undefined);
  });

  it('takes a line output mode and a record delimiter, and nothing else', () => {
    const c = resolveShipConfig({
      flows: [{ paths: ['x'], stream: 's', output: 'line', recordDelimiter: '\n' }],
    });
    expect(c.flows[0]).to.include({ output: 'line', recordDelimiter: '\n' });
    expect(
      problemsOf(() =>
        resolveShipConfig({
          flows: [{ paths: ['x'], stream: 's', output: 'text', recordDelimiter: ';' }],
        }),
      ),
    ).to.deep.equal([
      'flows[0].output: expected json or line',
      'flows[0].recordDelimiter: expected "\\n" or "\\r\\n"',
    ]);
  });

  it("takes the sink's aggregation, compression and pacing, reporting bad values by path", () => {
    const flows = [{ paths: ['x'], stream: 's' }];
    const config = resolveShipConfig({
      flows,
      sink: {
        aggregation: true,
        compression: 'gzip',
        rateLimitFraction: 0.8,
        maxInFlight: 8,
        wireProtocol: 'json',
      },
    });
    expect(config.sink).to.deep.equal({
      aggregation: true,
      compression: 'gzip',
      rateLimitFraction: 0.8,
      maxInFlight: 8,
      wireProtocol: 'json',
    });
    expect(config.commitIntervalMs).to.equal(ShipDefaults.COMMIT_INTERVAL_MS);
    expect(
      problemsOf(() =>
        resolveShipConfig({
          flows,
          commitIntervalMs: -1,
          sink: {
            aggregation: 'yes',
            compression: 'zstd',
            rateLimitFraction: 0,
            maxInFlight: 65,
            wireProtocol: 'xml',
          },
        }),
      ),
    ).to.deep.equal([
      'commitIntervalMs: must be at least 0',
      'sink.maxInFlight: must be at most 64',
      'sink.aggregation: expected true or false',
      'sink.compression: expected none or gzip',
      'sink.rateLimitFraction: must be greater than 0',
      'sink.wireProtocol: expected auto, cbor or json',
    ]);
  });

  it('bounds maxUncommittedRecords (default: the in-flight window, left to the daemon)', () => {
    const flows = [{ paths: ['x'], stream: 's' }];
    expect(resolveShipConfig({ flows }).maxUncommittedRecords).to.equal(undefined);
    expect(
      resolveShipConfig({ flows, maxUncommittedRecords: 5000 }).maxUncommittedRecords,
    ).to.equal(5000);
    expect(problemsOf(() => resolveShipConfig({ flows, maxUncommittedRecords: 0 }))).to.deep.equal([
      'maxUncommittedRecords: must be at least 1',
    ]);
  });

  it('loads YAML and JSON files with the same schema, naming the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-config-'));
    await writeFile(
      join(dir, 'a.yaml'),
      'flows:\n  - paths: ["/x/*.log"]\n    stream: s\n    parser: nginx\n',
    );
    await writeFile(
      join(dir, 'b.json'),
      JSON.stringify({ flows: [{ paths: ['/x'], stream: 's', parser: 'nope' }] }),
    );
    await writeFile(join(dir, 'c.yaml'), 'flows: [\n');
    const a = await loadShipConfig(join(dir, 'a.yaml'), { stateDir: '/tmp/st' });
    expect(a.flows[0]!.parser).to.equal('nginx');
    expect(a.stateDir).to.equal('/tmp/st');
    for (const [name, needle] of [
      ['b.json', 'flows[0].parser'],
      ['c.yaml', 'not valid YAML'],
    ] as const) {
      try {
        await loadShipConfig(join(dir, name));
        expect.fail('should throw');
      } catch (err) {
        expect((err as Error).message)
          .to.include(name)
          .and.include(needle);
      }
    }
  });
});
