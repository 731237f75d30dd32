#!/usr/bin/env node
/*
 * Checks that every workspace lists exactly what it imports:
 *
 *   src/, bin/ (shipped)      ── import 'x' ──▶ x in dependencies or peerDependencies
 *   test/, bench/, e2e/       ── import 'x' ──▶ x in any of the three, or a root devDependency
 *   every listed package      ◀── imported somewhere in the workspace (an `@types/x` counts as
 *                                 used when `x` is imported; a dependency only tests import
 *                                 belongs in devDependencies)
 *
 * It reads the TypeScript sources, so type-only imports count: a package whose types appear in
 * the shipped code is listed like any other. Run from anywhere:
 *   node scripts/check-deps.mjs [--root <monorepo dir>]
 * Exits 1 with one line per problem.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders whose files ship in the package. */
const SHIPPED_DIRS = ['src', 'bin'];
/** Folders of tests, fixtures and benchmarks. */
const DEV_DIRS = ['test', 'bench', 'e2e'];

/**
 * Packages a workspace loads by a name held in a variable (so no import statement names them),
 * with the file that does it: counted as imported by shipped code.
 */
const LOADED_BY_NAME = {
  '@kinlog/local': ['kinesalite', 'dynalite'], // bin/local-services-child.ts: loadServerFactory
};

const IMPORT_PATTERNS = [
  // import … from 'x' · export … from 'x' (across lines) · import 'x'
  /\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
  // import('x') · require('x') · require.resolve('x')
  /\b(?:import|require|require\.resolve)\(\s*['"]([^'"]+)['"]\s*\)/g,
  // createRequire(import.meta.url)('x')
  /\bcreateRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const builtins = new Set(builtinModules);

function packageOf(specifier) {
  if (specifier.includes('${')) return undefined; // a template inside a string, not an import
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? undefined : name;
}

function* tsFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') yield* tsFiles(path);
    } else if (/\.(?:ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** Package name → first file (relative to the workspace) importing it, for one set of dirs. */
function importsIn(workspace, dirs) {
  const found = new Map();
  for (const dir of dirs) {
    for (const file of tsFiles(join(workspace, dir))) {
      const text = stripComments(readFileSync(file, 'utf8'));
      for (const pattern of IMPORT_PATTERNS) {
        for (const match of text.matchAll(pattern)) {
          const name = packageOf(match[1]);
          if (name !== undefined && !found.has(name)) found.set(name, relative(workspace, file));
        }
      }
    }
  }
  return found;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Every problem of one workspace, as printable lines. */
export function checkWorkspace(workspace, rootDevDependencies = {}) {
  const pkg = readJson(join(workspace, 'package.json'));
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const peers = new Set(Object.keys(pkg.peerDependencies ?? {}));
  const devs = new Set(Object.keys(pkg.devDependencies ?? {}));
  const rootDevs = new Set(Object.keys(rootDevDependencies));
  const shipped = importsIn(workspace, SHIPPED_DIRS);
  for (const name of LOADED_BY_NAME[pkg.name] ?? []) shipped.set(name, '(loaded by name)');
  const dev = importsIn(workspace, DEV_DIRS);
  const problems = [];
  const self = (name) => name === pkg.name;

  for (const [name, file] of shipped) {
    if (self(name) || deps.has(name) || peers.has(name)) continue;
    problems.push(
      devs.has(name)
        ? `${name} is imported by shipped code (${file}) but is only a devDependency`
        : `${name} is imported (${file}) but not in dependencies`,
    );
  }
  for (const [name, file] of dev) {
    if (self(name) || shipped.has(name) || deps.has(name) || peers.has(name)) continue;
    if (devs.has(name) || rootDevs.has(name)) continue;
    problems.push(`${name} is imported by ${file} but not in devDependencies`);
  }
  const importedAnywhere = (name) => {
    const typed = name.startsWith('@types/') ? name.slice('@types/'.length) : undefined;
    const target = typed?.includes('__') ? `@${typed.replace('__', '/')}` : typed;
    return (
      shipped.has(name) ||
      dev.has(name) ||
      (target !== undefined && (shipped.has(target) || dev.has(target)))
    );
  };
  for (const name of deps) {
    if (name.startsWith('@types/')) {
      problems.push(`${name} is a dependency: type packages belong in devDependencies`);
    } else if (!shipped.has(name)) {
      problems.push(
        dev.has(name)
          ? `${name} is a dependency but only tests or benchmarks import it (make it a devDependency)`
          : `${name} is a dependency but nothing imports it`,
      );
    }
  }
  for (const name of peers) {
    if (!importedAnywhere(name))
      problems.push(`${name} is a peerDependency but nothing imports it`);
  }
  for (const name of devs) {
    if (peers.has(name)) continue;
    if (!importedAnywhere(name)) problems.push(`${name} is a devDependency but nothing imports it`);
  }
  return problems;
}

function main() {
  const at = process.argv.indexOf('--root');
  const root =
    at === -1 ? fileURLToPath(new URL('..', import.meta.url)) : (process.argv[at + 1] ?? '.');
  const rootPkg = readJson(join(root, 'package.json'));
  let failed = false;
  for (const workspace of rootPkg.workspaces ?? []) {
    const dir = join(root, workspace);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    const problems = checkWorkspace(dir, rootPkg.devDependencies);
    for (const problem of problems) console.error(`${workspace}/package.json: ${problem}`);
    failed ||= problems.length > 0;
  }
  if (failed) {
    console.error('check-deps: each package must list exactly what it imports (see above)');
    process.exitCode = 1;
  } else {
    console.log('check-deps: every package lists exactly what it imports');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
