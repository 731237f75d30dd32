// `kinlog report` as the bin runs it: one line on stderr and exit code 1 on any error.
import { Command } from 'commander';
import { reportCommand } from '../../src/cli/report-command.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const context = {
  signal: new AbortController().signal,
  stdout: process.stdout,
  stderr: process.stderr,
};
try {
  await new Command('kinlog')
    .addCommand(reportCommand(context))
    .parseAsync(['node', 'kinlog', 'report', ...process.argv.slice(2)]);
} catch (err) {
  process.stderr.write(`kinlog: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
