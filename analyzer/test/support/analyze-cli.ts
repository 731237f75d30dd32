// Runs `kinlog analyze <argv>` in its own process (tests SIGKILL it anywhere); exit code 1 on error.
import { Command } from 'commander';
import { analyzeCommand } from '../../src/index.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
const program = new Command('kinlog').exitOverride();
program.addCommand(
  analyzeCommand({ signal: controller.signal, stdout: process.stdout, stderr: process.stderr }),
);
try {
  await program.parseAsync(['node', 'kinlog', 'analyze', ...process.argv.slice(2)]);
} catch (err) {
  process.stderr.write(`${String(err)}\n`);
  process.exitCode = 1;
}
