import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const checkCycles = join(repoRoot, 'scripts', 'check-cycles.mjs');

function runCheck(root: string): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [checkCycles, '--root', root], { encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

/**
 * A monorepo in a temp dir: `workspaces` maps a workspace folder to its files (path → text).
 * IMPORT and EXPORT are written in lower case (so no checker takes them for imports of this file).
 */
function monorepo(workspaces: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'kinlog-check-cycles-'));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ workspaces: Object.keys(workspaces) }),
  );
  for (const [ws, files] of Object.entries(workspaces)) {
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(root, ws, path)), { recursive: true });
      writeFileSync(
        join(root, ws, path),
        text.replace(/IMPORT/g, 'import').replace(/EXPORT/g, 'export'),
      );
    };
    write('package.json', JSON.stringify({ name: `@x/${ws}` }));
    for (const [path, text] of Object.entries(files)) write(path, text);
  }
  return root;
}

describe('scripts/check-cycles.mjs', function () {
  const roots: string[] = [];
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const check = (workspaces: Record<string, Record<string, string>>) => {
    const root = monorepo(workspaces);
    roots.push(root);
    return runCheck(root);
  };

  it('passes on the repository itself', function () {
    const { status, output } = runCheck(repoRoot);
    expect(status, output).to.equal(0);
  });

  it('passes arrows that point one way, entry files and top-level files included', function () {
    const { status, output } = check({
      pkg: {
        'src/index.ts': "EXPORT { a } from './high/a.js';\nEXPORT { b } from './low/b.js';",
        'src/errors.ts': 'EXPORT class E extends Error {}',
        'src/high/a.ts': "IMPORT { b } from '../low/b.js';\nIMPORT { E } from '../errors.js';",
        'src/high/index.ts': "EXPORT { b } from '../low/b.js';",
        'src/low/b.ts': "IMPORT type { E } from '../errors.js';\nEXPORT const b = 1;",
      },
    });
    expect(status, output).to.equal(0);
  });

  it('names files that import each other, type-only imports included', function () {
    const { status, output } = check({
      pkg: {
        'src/a.ts': "IMPORT type { B } from './b.js';",
        'src/b.ts': "IMPORT { a } from './a.js';",
      },
    });
    expect(status).to.equal(1);
    expect(output).to.include('pkg: files import each other: src/a.ts ⇄ src/b.ts');
  });

  it('names folders that import each other with no file cycle', function () {
    const { status, output } = check({
      pkg: {
        'src/checkpoint/items.ts': "IMPORT type { W } from '../window/shard-window.js';",
        'src/window/shard-window.ts': 'EXPORT interface W {}',
        'src/window/analyzer.ts': "IMPORT type { I } from '../checkpoint/items.js';",
      },
    });
    expect(status).to.equal(1);
    expect(output).to.include('pkg: folders import each other: src/checkpoint ⇄ src/window');
  });

  it('names workspaces that import each other', function () {
    const { status, output } = check({
      one: { 'src/a.ts': "IMPORT { b } from '@x/two';" },
      two: { 'src/b.ts': "IMPORT { a } from '@x/one/sub';" },
    });
    expect(status).to.equal(1);
    expect(output).to.include('workspaces import each other: one ⇄ two');
  });
});
