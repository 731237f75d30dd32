import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appenderRoot = fileURLToPath(new URL('../../..', import.meta.url));
const preload = fileURLToPath(new URL('../fixtures/record-resolved.js', import.meta.url));

/** Modules of the daemon and the packages only it uses: none belongs to a transport's graph. */
const DAEMON_ONLY = [
  '/dist/src/daemon/',
  '/node_modules/prom-client/',
  '/node_modules/commander/',
  '/node_modules/tinyglobby/',
  '/node_modules/yaml/',
];

/** Imports `specifier` in a fresh node process and returns every URL its graph resolved. */
function moduleGraphOf(specifier: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'kinlog-entry-graph-'));
  try {
    const out = join(dir, 'resolved.txt');
    const run = spawnSync(
      process.execPath,
      ['--import', preload, '--input-type=module', '-e', `await import('${specifier}');`],
      { cwd: appenderRoot, env: { ...process.env, KINLOG_RESOLVED_OUT: out }, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).to.equal(0);
    return readFileSync(out, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function daemonModulesIn(graph: readonly string[]): string[] {
  return graph.filter((url) => DAEMON_ONLY.some((part) => url.includes(part)));
}

describe('package entries of @kinlog/appender', function () {
  it('the daemon entry loads the daemon (the graph check sees what it looks for)', function () {
    const graph = moduleGraphOf('@kinlog/appender/daemon');
    expect(graph.some((url) => url.endsWith('/dist/src/daemon/ship-daemon.js'))).to.equal(true);
    expect(daemonModulesIn(graph)).to.not.deep.equal([]);
  });

  it('@kinlog/appender/metrics loads neither prom-client nor the daemon (the app brings its registry)', function () {
    const graph = moduleGraphOf('@kinlog/appender/metrics');
    expect(
      graph.some((url) => url.endsWith('/dist/src/metrics/register-kinlog-metrics.js')),
    ).to.equal(true);
    expect(daemonModulesIn(graph)).to.deep.equal([]);
  });

  for (const entry of ['@kinlog/appender', '@kinlog/appender/winston', '@kinlog/appender/pino']) {
    it(`${entry} loads neither the daemon, the ship command nor their packages`, function () {
      const graph = moduleGraphOf(entry);
      expect(graph.some((url) => url.includes('/dist/src/sink/kinesis-sink.js'))).to.equal(true);
      expect(daemonModulesIn(graph)).to.deep.equal([]);
    });
  }
});
