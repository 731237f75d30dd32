#!/usr/bin/env node
// `npm test` after building and linting: every workspace's tests, on two lanes at once.
//
//   lane 1  @kinlog/appender test:main   (the longest: kill, rotation and fault tests of real
//                                         processes, about 70 % of all the test time)
//   lane 2  every other workspace's test, in the order of package.json's workspaces, then
//           @kinlog/appender test:compat (its lane against the second Kinesis)
//
// A scheduler that takes packages in turn started the appender after two others and ran its
// compatibility tests at its end, so the whole run waited on it. Every step runs even after
// one fails; the exit code is 1 when any failed. Output lines carry their workspace's name.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LONGEST = { dir: 'appender', main: 'test:main', after: 'test:compat' };

const root = join(import.meta.dirname, '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A workspace's name and its scripts. */
function workspace(dir) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  return { dir, name: pkg.name, scripts: pkg.scripts ?? {} };
}

const workspaces = rootPackage.workspaces.map(workspace);
const longest = workspaces.find((w) => w.dir === LONGEST.dir);
for (const script of [LONGEST.main, LONGEST.after]) {
  if (longest?.scripts[script] === undefined) {
    process.stderr.write(`test-lanes: ${LONGEST.dir}/package.json has no "${script}" script\n`);
    process.exit(2);
  }
}
const lanes = [
  [{ ws: longest, script: LONGEST.main }],
  [
    ...workspaces
      .filter((w) => w !== longest && w.scripts.test !== undefined)
      .map((ws) => ({ ws, script: 'test' })),
    { ws: longest, script: LONGEST.after },
  ],
];

const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill(signal);
  });
}

/** Copies a child's output to ours line by line, each line after `prefix`. */
function prefixed(stream, out, prefix) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    if (lines.length > 0) out.write(lines.map((line) => `${prefix}${line}\n`).join(''));
  });
  stream.on('end', () => {
    if (rest !== '') out.write(`${prefix}${rest}\n`);
  });
}

/** Runs one step; its outcome and how long it took. */
function run({ ws, script }) {
  const started = Date.now();
  const prefix = `${ws.name}: `;
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', script], {
      cwd: join(root, ws.dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    prefixed(child.stdout, process.stdout, prefix);
    prefixed(child.stderr, process.stderr, prefix);
    child.once('error', (err) => {
      process.stderr.write(`${prefix}could not start npm: ${err.message}\n`);
    });
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({
        step: `${ws.name} ${script}`,
        ok: code === 0,
        end: signal ?? `code ${code}`,
        ms: Date.now() - started,
      });
    });
  });
}

async function runLane(steps) {
  const outcomes = [];
  for (const step of steps) outcomes.push(await run(step));
  return outcomes;
}

const started = Date.now();
const outcomes = (await Promise.all(lanes.map(runLane))).flat();
const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;
process.stdout.write(`\ntests, by step (${seconds(Date.now() - started)} in all, two lanes):\n`);
for (const o of outcomes)
  process.stdout.write(
    `  ${o.ok ? 'ok    ' : 'FAILED'}  ${o.step}  ${seconds(o.ms)}${o.ok ? '' : ` (${o.end})`}\n`,
  );
const failed = outcomes.filter((o) => !o.ok);
if (failed.length > 0) {
  process.stderr.write(`test-lanes: ${failed.length} step(s) failed\n`);
  process.exitCode = 1;
}
