#!/usr/bin/env node
// Run: KINLOG_STREAM=app-logs node examples/dist/bin/shop-server.js (AWS_REGION and credentials
// as for any AWS SDK app). On SIGTERM/SIGINT: stop accepting, deliver the logs, then exit.
import { closeLogger } from '@kinlog/appender';
import { createShopLogger } from '../src/shop-logger.js';
import { createShopServer } from '../src/shop-server.js';

const logger = createShopLogger(
  { streamName: process.env.KINLOG_STREAM ?? 'app-logs' },
  { console: true },
);
const server = createShopServer(logger).listen(Number(process.env.PORT ?? 8080));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    // process.exitCode, not process.exit(): the event loop ends once the logger is closed.
    void closeLogger(logger).then(() => (process.exitCode = 0));
  });
}
