/**
 * The `kinlog` process contract, through the real bin: a reader that stops early (`| head -1`)
 * ends any command quietly with 0; usage mistakes exit 2 naming the option and its limits.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createTestStream } from '@kinlog/testkit';

const kinlogBin = fileURLToPath(new URL('../../bin/kinlog.js', import.meta.url));

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` in bash with `$KINLOG` set to the bin; what it printed and its status. */
async function bash(script: string): Promise<Ended> {
  const child = spawn('bash', ['-c', script], {
    env: { ...process.env, KINLOG: `${process.execPath} ${kinlogBin}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** `$KINLOG <args> | head -1`, printing kinlog's own exit status last. */
const headOne = (args: string): Promise<Ended> =>
  bash(`set -o pipefail; $KINLOG ${args} | head -1; echo "kinlog-status=\${PIPESTATUS[0]}"`);

describe('kinlog: pipes and exit codes', function () {
  this.timeout(60_000);

  it('ship --dry-run | head -1: exits 0 without a word when the reader has gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-epipe-'));
    const file = join(dir, 'many.log');
    writeFileSync(file, 'a line of the log\n'.repeat(200_000));
    // Not --once: only the closed pipe can end this run.
    const end = await headOne(`ship --dry-run --stream s ${file}`);
    expect(end.stdout).to.match(/^\{"msg":"a line of the log".*\nkinlog-status=0\n$/);
    expect(end.stderr).to.equal('');
  });

  it('ship --once --dry-run | head -1: no stats line once the reader has gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-epipe-once-'));
    const file = join(dir, 'many.log');
    writeFileSync(file, 'a line of the log\n'.repeat(20_000));
    // The pipe stays open, unread, for a while after head: the run ends while its output waits.
    const end = await bash(
      `$KINLOG ship --once --dry-run --stream s ${file} | { head -1; sleep 2; }; echo "kinlog-status=\${PIPESTATUS[0]}"`,
    );
    expect(end.stdout).to.match(/^\{"msg":"a line of the log".*\nkinlog-status=0\n$/);
    expect(end.stderr).to.equal('');
  });

  it('analyze --every 1s | head -1: exits 0 without a word when the reader has gone', async () => {
    const streamName = await createTestStream(1);
    const end = await headOne(
      `analyze --stream ${streamName} --name epipe-${streamName} --every 1s --create-tables`,
    );
    expect(end.stdout).to.match(/kinlog-status=0\n$/);
    expect(end.stdout.split('\n')).to.have.length(3);
    expect(end.stderr).to.not.match(/Error|EPIPE|at /);
  });

  it('--poll-interval -1 and 0 are the same mistake: exit 2, naming the option and its limits', async () => {
    for (const value of ['-1', '0', '60001', 'soon']) {
      const end = await bash(`$KINLOG ship --poll-interval ${value} --stream s x.log`);
      expect(end.code, `${value}: ${end.stderr}`).to.equal(2);
      expect(end.stderr).to.include(
        `--poll-interval: expected a number from 1 to 60000, got "${value}"`,
      );
    }
  });

  it('exits 2 on an unknown option or a bad value of any command, 0 on --help', async () => {
    for (const args of [
      'ship --no-such-option',
      'analyze --stream s --top many',
      'report --bogus',
    ]) {
      const end = await bash(`$KINLOG ${args}`);
      expect(end.code, `${args}: ${end.stderr}`).to.equal(2);
    }
    expect((await bash('$KINLOG ship --help')).code).to.equal(0);
  });
});
