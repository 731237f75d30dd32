export { createShopServer } from './shop-server.js';
export { createShopLogger } from './shop-logger.js';
export { createJobLogger, runNightlyJob, type JobLogger } from './nightly-job.js';
