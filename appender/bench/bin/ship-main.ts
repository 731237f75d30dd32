// A process entry of the ship benchmark (it owns its process, as bin/ entries do).
// `kinlog ship` as the kinlog bin runs it, plus one thing for the benchmark: at exit, the
// process's own resource usage (CPU, peak RSS) is written to $KINLOG_BENCH_USAGE_FILE, since a
// parent cannot read a child's usage in Node.
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { shipCommand } from '../../src/daemon/index.js';

const usageFile = process.env.KINLOG_BENCH_USAGE_FILE;
if (usageFile !== undefined) {
  process.on('exit', () => writeFileSync(usageFile, JSON.stringify(process.resourceUsage())));
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
const context = { signal: controller.signal, stdout: process.stdout, stderr: process.stderr };
try {
  await new Command('kinlog').addCommand(shipCommand(context)).parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  process.stderr.write(`kinlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
