#!/usr/bin/env node
// `npm run test:stress [-- <npm test arguments>]`: runs `npm test` while CPU-burning processes
// compete for the cores, so a test that depends on the machine's speed fails here first.
// Exits with npm test's code. Example, one workspace: npm run test:stress -- -w @kinlog/core
import { spawn } from 'node:child_process';

/** How many burners (default 2: as many as a small CI machine has cores). */
const BURNERS = Number(process.env.KINLOG_STRESS_BURNERS ?? 2);
/** A burner computes in slices this long, then yields so it notices its parent has gone. */
const BURN_SLICE_MS = 50;

const burnerSource = `
  process.on('disconnect', () => process.exit(0));
  let x = 0;
  const burn = () => {
    const until = Date.now() + ${BURN_SLICE_MS};
    while (Date.now() < until) x = (x * 1103515245 + 12345) % 2147483648;
    setImmediate(burn);
  };
  burn();
`;

if (!Number.isInteger(BURNERS) || BURNERS < 0) {
  process.stderr.write(`test:stress: KINLOG_STRESS_BURNERS must be an integer >= 0\n`);
  process.exit(2);
}

const burners = Array.from({ length: BURNERS }, () =>
  spawn(process.execPath, ['-e', burnerSource], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
);
const stopBurners = () => {
  for (const burner of burners) if (burner.exitCode === null) burner.kill('SIGKILL');
};
process.stdout.write(
  `test:stress: ${BURNERS} CPU burners running (pids ${burners.map((b) => b.pid).join(', ')})\n`,
);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tests = spawn(npm, ['test', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    tests.kill(signal);
    stopBurners();
  });
}
tests.once('exit', (code, signal) => {
  stopBurners();
  process.stdout.write(`test:stress: npm test ended with ${signal ?? `code ${code}`}\n`);
  process.exitCode = code ?? 1;
});
