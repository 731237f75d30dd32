#!/usr/bin/env node
// The only place that touches the process: signals become an abort, errors an exit code, a
// closed stdout (`kinlog … | head -1`) a quiet end. Statuses: 0 ok, 1 failure, 2 usage/config,
// 3 partial delivery (ship --once), 128+n stopped by signal n.
import type { Command } from 'commander';
import { exitOf, ExitCodes, signalExitCode, STOP_GRACE_MS } from '../src/exit-codes.js';

if (!process.argv.includes('--verbose')) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
// The reader of our output went away: nothing more can be said, and that is not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(ExitCodes.OK);
  process.stderr.write(`kinlog: stdout: ${err.message}\n`);
  process.exit(ExitCodes.FAILURE);
});
const controller = new AbortController();
// A first signal stops the command (`ship` delivers and commits within its bounded drain), which
// then ends with 128 + n, within STOP_GRACE_MS whatever it was doing; a second one ends it at once.
let stoppedBy: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stoppedBy !== undefined) process.exit(signalExitCode(signal));
    stoppedBy = signal;
    controller.abort();
    // A command that does not stop in time (a call the abort cannot reach) is ended anyway.
    setTimeout(() => process.exit(signalExitCode(signal)), STOP_GRACE_MS).unref();
  });
}
const context = { signal: controller.signal, stdout: process.stdout, stderr: process.stderr };
/** Every command throws its usage errors here instead of exiting, so they map to one status. */
function throwOnExit(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnExit(sub);
}
let code: number = ExitCodes.OK;
try {
  // `kinlog ship` loads only what shipping needs; every other command line the whole program.
  const program =
    process.argv[2] === 'ship'
      ? (await import('../src/ship-program.js')).shipProgram(context)
      : (await import('../src/kinlog-program.js')).kinlogProgram(context);
  throwOnExit(program);
  await program.parseAsync(process.argv);
} catch (err) {
  const exit = exitOf(err);
  // A stopped command's abort is not a failure to report; any other message fits one line.
  if (exit.print && stoppedBy === undefined) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`kinlog: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  }
  code = exit.code;
}
if (stoppedBy !== undefined) code = signalExitCode(stoppedBy);
// A pipe may still hold output: exit once it is handed over (an EPIPE exits 0 above).
process.stdout.write('', () => process.exit(code));
