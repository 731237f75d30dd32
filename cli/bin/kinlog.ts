#!/usr/bin/env node
// The only place that touches the process: signals become an abort, errors an exit code.
import { ConfigError } from '@kinlog/core';
import { kinlogProgram } from '../src/kinlog-program.js';

/** Exit codes: a usage or configuration problem (like `kinlog ship`'s) versus a failed run. */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** An error may name its own status (bad SQL in `kinlog query`: 2); anything else failed. */
function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' && Number.isInteger(code) && code > 0 ? code : EXIT_FAILED;
}

if (!process.argv.includes('--verbose')) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // `once`: a second Ctrl-C falls back to the default handler and ends the process at once.
  process.once(signal, () => controller.abort());
}
const context = { signal: controller.signal, stdout: process.stdout, stderr: process.stderr };
try {
  await kinlogProgram(context).parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  process.stderr.write(`kinlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? EXIT_USAGE : exitCodeOf(err));
}
