import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  realpath,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
// Tests run from cli/dist/test/integration/.
const cliRoot = fileURLToPath(new URL('../../../', import.meta.url));
const shim = join(cliRoot, 'bin', 'kinlog.js');
const linkedBin = join(cliRoot, '..', 'node_modules', '.bin', 'kinlog');

async function packageVersion(): Promise<string> {
  const packageJson = JSON.parse(await readFile(join(cliRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return packageJson.version;
}

describe('the kinlog command', function () {
  it('is the committed shim, linked by npm and executable', async function () {
    const packageJson = JSON.parse(await readFile(join(cliRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(packageJson.bin.kinlog).to.equal('bin/kinlog.js');
    expect(await realpath(linkedBin)).to.equal(await realpath(shim));
    expect((await stat(shim)).mode & 0o111, 'execute bits of bin/kinlog.js').to.equal(0o111);
  });

  it('prints the package version through node_modules/.bin/kinlog --version', async function () {
    // Executed directly, not through `node`: the shebang and the mode are part of what is tested.
    const { stdout } = await run(linkedBin, ['--version']);
    expect(stdout.trim()).to.equal(await packageVersion());
  });

  it('lists the subcommands on --help', async function () {
    const { stdout } = await run(linkedBin, ['--help']);
    for (const command of ['local', 'ship', 'analyze', 'report', 'demo']) {
      expect(stdout).to.match(new RegExp(`^ {2}${command}\\b`, 'm'));
    }
  });

  it('runs ship without loading what only the other commands use', async function () {
    this.timeout(30_000);
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-ship-modules-'));
    try {
      // Lists, at exit, the CommonJS modules the process loaded (the SDK clients, DuckDB).
      const preload = join(dir, 'list-modules.cjs');
      await writeFile(
        preload,
        `process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULES_FILE, Object.keys(require.cache).join('\\n')));\n`,
      );
      const loaded = async (args: string[]): Promise<string> => {
        const file = join(dir, `${args[0]}.txt`);
        await run(process.execPath, ['--require', preload, shim, ...args], {
          env: { ...process.env, MODULES_FILE: file },
        });
        return readFile(file, 'utf8');
      };
      const others = /client-dynamodb|@duckdb/;
      expect(await loaded(['--help']), 'the whole program').to.match(others);
      const ship = await loaded(['ship', '--help']);
      expect(ship).to.include('client-kinesis');
      expect(ship).to.not.match(others);
      expect((await run(linkedBin, ['ship', '--help'])).stdout).to.match(/^Usage: kinlog ship /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 and names the option and the expression for an invalid schedule', async function () {
    const failure = await run(linkedBin, [
      'analyze',
      '--stream',
      's',
      '--name',
      'n',
      '--cron',
      '0 8 * * MOON',
    ]).then(
      () => expect.fail('the invalid schedule was accepted'),
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure.code).to.equal(2);
    expect(failure.stderr).to.include('--cron: "0 8 * * MOON" is not a valid cron expression');
  });

  it('says to build first when the CLI is not compiled yet', async function () {
    const fresh = await mkdtemp(join(tmpdir(), 'kinlog-unbuilt-'));
    try {
      // A clone right after `npm ci`: package.json and the shim, no dist/.
      await mkdir(join(fresh, 'bin'));
      await copyFile(join(cliRoot, 'package.json'), join(fresh, 'package.json'));
      await copyFile(shim, join(fresh, 'bin', 'kinlog.js'));
      const failure = await run(process.execPath, [join(fresh, 'bin', 'kinlog.js'), '--help']).then(
        () => expect.fail('the unbuilt CLI exited 0'),
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure.code).to.equal(1);
      expect(failure.stderr).to.equal(
        'kinlog: the CLI is not built yet: run `npm run build` first\n',
      );
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
