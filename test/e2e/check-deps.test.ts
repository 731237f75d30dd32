import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const checkDeps = join(repoRoot, 'scripts', 'check-deps.mjs');

function runCheck(root: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [checkDeps, '--root', root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

/**
 * A one-workspace monorepo in a temp dir: `files` maps paths inside the workspace to text.
 * The fixtures spell IMPORT and EXPORT in capitals so that the checker, run on this repository,
 * does not take them for imports of this file; they are written in lower case.
 */
function monorepo(pkg: Record<string, unknown>, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kinlog-check-deps-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ workspaces: ['pkg'], devDependencies: { chai: '*' } }),
  );
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, 'pkg', path)), { recursive: true });
    writeFileSync(
      join(root, 'pkg', path),
      text.replace(/IMPORT/g, 'import').replace(/EXPORT/g, 'export'),
    );
  };
  write('package.json', JSON.stringify({ name: '@x/pkg', ...pkg }));
  for (const [path, text] of Object.entries(files)) write(path, text);
  return root;
}

describe('scripts/check-deps.mjs', function () {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('passes on the repository itself', function () {
    const { status, output } = runCheck(repoRoot);
    expect(status, output).to.equal(0);
  });

  it('passes a workspace that lists exactly what it imports', function () {
    const root = monorepo(
      {
        dependencies: { zod: '*', '@aws-sdk/client-kinesis': '*' },
        devDependencies: { mailparser: '*', '@types/mailparser': '*' },
      },
      {
        'src/a.ts':
          "IMPORT { z } from 'zod';\nIMPORT { readFile } from 'node:fs';\nIMPORT './b.js';",
        'src/b.ts': "EXPORT { KinesisClient } from '@aws-sdk/client-kinesis/dist';",
        'test/a.test.ts':
          "IMPORT { expect } from 'chai';\nIMPORT { simpleParser } from 'mailparser';",
      },
    );
    roots.push(root);
    const { status, output } = runCheck(root);
    expect(status, output).to.equal(0);
  });

  it('names every missing, misplaced and unused package', function () {
    const root = monorepo(
      {
        dependencies: { zod: '*', yaml: '*', '@types/yaml': '*', mocha: '*' },
        devDependencies: { commander: '*', 'left-pad': '*' },
        peerDependencies: { 'smtp-server': '*' },
      },
      {
        'src/a.ts': [
          "IMPORT type { Command } from 'commander';",
          "const p = await IMPORT('p-retry');",
          "// IMPORT 'in-a-comment';",
          "IMPORT { z } from 'zod';",
        ].join('\n'),
        'test/a.test.ts': "IMPORT { parse } from 'yaml';\nIMPORT 'mocha';\nIMPORT 'tinyglobby';",
      },
    );
    roots.push(root);
    const { status, output } = runCheck(root);
    expect(status).to.equal(1);
    const lines = output.split('\n').filter((line) => line.startsWith('pkg/package.json: '));
    expect(lines.map((line) => line.slice('pkg/package.json: '.length)).sort()).to.deep.equal(
      [
        '@types/yaml is a dependency: type packages belong in devDependencies',
        'commander is imported by shipped code (src/a.ts) but is only a devDependency',
        'left-pad is a devDependency but nothing imports it',
        'mocha is a dependency but only tests or benchmarks import it (make it a devDependency)',
        'p-retry is imported (src/a.ts) but not in dependencies',
        'smtp-server is a peerDependency but nothing imports it',
        'tinyglobby is imported by test/a.test.ts but not in devDependencies',
        'yaml is a dependency but only tests or benchmarks import it (make it a devDependency)',
      ].sort(),
    );
  });
});
