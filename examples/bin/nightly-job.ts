#!/usr/bin/env node
// Run: KINLOG_STREAM=app-logs node examples/dist/bin/nightly-job.js
import { closeLogger } from '@kinlog/appender';
import { createJobLogger, runNightlyJob } from '../src/nightly-job.js';

const { logger, transport } = createJobLogger({
  streamName: process.env.KINLOG_STREAM ?? 'app-logs',
});
const { failed } = runNightlyJob(logger, [
  { id: 1, ok: true },
  { id: 2, ok: false },
  { id: 3, ok: true },
]);
// Waits until the worker has delivered every line; then the process ends on its own.
await closeLogger(transport);
process.exitCode = failed > 0 ? 1 : 0;
