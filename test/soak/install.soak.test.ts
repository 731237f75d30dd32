/*
 * What an application gets from `npm install @kinlog/appender`:
 *
 *   npm pack core, appender ──▶ temp app (depends on both tarballs)
 *     ──▶ npm install --omit=dev ──▶ node_modules: nothing of the emulators, the demo or SDK v2
 *     ──▶ node: import('@kinlog/appender/winston') works there
 *
 * Slow (a real npm install), hence the soak lane. Registry access is needed for the third-party
 * packages; `--prefer-offline` takes them from npm's cache when it can.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const INSTALL_TIMEOUT_MS = 600_000;

/** Packages an app that only logs must never receive. */
const FORBIDDEN: readonly RegExp[] = [
  /^kinesalite$/,
  /^dynalite$/,
  /^kinesis-local$/,
  /^leveldown$/,
  /^classic-level$/,
  /^smtp-server$/,
  /^aws-sdk$/,
  /^@duckdb\//,
];

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    env: { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false' },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stderr}`);
  }
  return result.stdout;
}

/** Every installed package (nested ones too), by name, with its path. */
function installedPackages(nodeModules: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(dir, entry)))
          add(`${entry}/${scoped}`, join(dir, entry, scoped));
      } else {
        add(entry, join(dir, entry));
      }
    }
  };
  const add = (name: string, path: string): void => {
    found.set(name, [...(found.get(name) ?? []), relative(nodeModules, path)]);
    visit(join(path, 'node_modules'));
  };
  visit(nodeModules);
  return found;
}

/** Bytes on disk under `dir`, as `du` counts them (allocated blocks, links not followed). */
function diskBytes(dir: string): number {
  const stat = lstatSync(dir);
  if (!stat.isDirectory()) return stat.blocks * 512;
  let total = stat.blocks * 512;
  for (const entry of readdirSync(dir)) total += diskBytes(join(dir, entry));
  return total;
}

describe('installing @kinlog/appender in an application', function () {
  this.timeout(INSTALL_TIMEOUT_MS);
  let app: string;

  before(function () {
    app = mkdtempSync(join(tmpdir(), 'kinlog-install-'));
    const tarball = (workspace: string): string =>
      run('npm', ['pack', '--silent', '--pack-destination', app], join(repoRoot, workspace))
        .trim()
        .split('\n')
        .pop()!;
    const core = tarball('core');
    const appender = tarball('appender');
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'kinlog-install-check',
        version: '1.0.0',
        private: true,
        type: 'module',
        dependencies: {
          '@kinlog/appender': `file:./${appender}`,
          '@kinlog/core': `file:./${core}`,
        },
        // The appender's dependency on @kinlog/core resolves to the packed core, not the registry.
        overrides: { '@kinlog/core': '$@kinlog/core' },
      }),
    );
    run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], app);
  });

  after(function () {
    if (app !== undefined) rmSync(app, { recursive: true, force: true });
  });

  it('brings no emulator, SMTP server, native leveldb, DuckDB or AWS SDK v2', function () {
    const installed = installedPackages(join(app, 'node_modules'));
    const bytes = diskBytes(join(app, 'node_modules'));
    console.log(
      `      node_modules of an app with @kinlog/appender: ${(bytes / 1024 / 1024).toFixed(1)} MB, ${installed.size} packages`,
    );
    const unwanted = [...installed.keys()].filter((name) => FORBIDDEN.some((re) => re.test(name)));
    expect(unwanted.map((name) => `${name} at ${installed.get(name)!.join(', ')}`)).to.deep.equal(
      [],
    );
    expect(installed.has('@kinlog/appender')).to.equal(true);
  });

  it('imports the winston transport and the main entry there', function () {
    const out = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const winston = await import('@kinlog/appender/winston');",
          "const main = await import('@kinlog/appender');",
          'console.log(typeof winston.KinesisTransport, typeof main.KinesisSink);',
        ].join('\n'),
      ],
      app,
    );
    expect(out.trim()).to.equal('function function');
  });
});
