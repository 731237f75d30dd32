import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { closeLogger } from '@kinlog/appender';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import { createJobLogger, runNightlyJob } from '../src/nightly-job.js';

const NIGHTLY_JOB_BIN = fileURLToPath(new URL('../bin/nightly-job.js', import.meta.url));

describe('example: pino in a batch job', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  it('delivers every line, the failed order with its stack, before closeLogger resolves', async () => {
    const streamName = await createTestStream(1);
    const { logger, transport } = createJobLogger({ streamName, flushIntervalMs: 50 });
    const outcome = runNightlyJob(logger, [
      { id: 1, ok: true },
      { id: 2, ok: false },
    ]);
    await closeLogger(transport);

    expect(outcome).to.deep.equal({ processed: 2, failed: 1 });
    const events = (await readAllRecords({ streamName })).map(
      (r) => JSON.parse(r.data.toString('utf8')) as Record<string, unknown>,
    );
    expect(events.map((e) => e.msg).sort()).to.deep.equal([
      'invoice 2 rejected by the mail provider',
      'invoice sent',
      'nightly job done',
    ]);
    const failed = events.find((e) => e.orderId === 2);
    expect(failed).to.include({ level: 50, page: '/jobs/invoices', service: 'nightly-job' });
    expect(JSON.stringify(failed?.err)).to.include('nightly-job');
  });

  it('runs as a process: exits 1 for its failed order, after delivering every line', async () => {
    const streamName = await createTestStream(1);
    // The job closes its logger right after logging, before the worker is ready.
    const child = spawn(process.execPath, [NIGHTLY_JOB_BIN], {
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        KINLOG_STREAM: streamName,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];

    expect(code, stderr).to.equal(1);
    const messages = (await readAllRecords({ streamName })).map(
      (r) => (JSON.parse(r.data.toString('utf8')) as { msg: string }).msg,
    );
    expect(messages.sort()).to.deep.equal([
      'invoice 2 rejected by the mail provider',
      'invoice sent',
      'invoice sent',
      'nightly job done',
    ]);
  });
});
