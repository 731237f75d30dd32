#!/usr/bin/env node
/*
 * Checks that imports point one way, at three scales:
 *
 *   workspaces   @kinlog/a ──▶ @kinlog/b ──▶ … never back to @kinlog/a
 *   folders      <pkg>/src/report ──▶ <pkg>/src/aggregate … never back (one arrow per pair)
 *   files        a.ts ──▶ b.ts ──▶ … never back to a.ts
 *
 * It reads the TypeScript sources of src/ and bin/ (what ships), type-only imports included:
 * a type that points back is an arrow that points back. Run from anywhere:
 *   node scripts/check-cycles.mjs [--root <monorepo dir>]
 * Exits 1 with one line per cycle.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders whose files ship in the package. */
const SHIPPED_DIRS = ['src', 'bin'];

const IMPORT_PATTERNS = [
  // import … from 'x' · export … from 'x' (across lines) · import 'x'
  /\b(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g,
  // import('x')
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
];

const args = process.argv.slice(2);
const rootAt = args.indexOf('--root');
const root =
  rootAt >= 0 && args[rootAt + 1] !== undefined
    ? resolve(args[rootAt + 1])
    : join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .ts file under `dir` (no declaration files). */
function sources(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Import specifiers of a file, comments removed. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return IMPORT_PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]));
}

/** The .ts file a relative specifier names (`./x.js` → `./x.ts`), or undefined. */
function resolveRelative(from, specifier) {
  const target = resolve(dirname(from), specifier);
  for (const candidate of [
    target.replace(/\.js$/, '.ts'),
    `${target}.ts`,
    join(target, 'index.ts'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Strongly connected components with a cycle (Tarjan), each as a list of nodes. */
function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node))
        found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

function addEdge(graph, from, to) {
  if (!graph.has(from)) graph.set(from, new Set());
  if (!graph.has(to)) graph.set(to, new Set());
  graph.get(from).add(to);
}

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const workspaces = rootPackage.workspaces ?? [];
const names = new Map(
  workspaces.map((ws) => [
    JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')).name,
    ws,
  ]),
);

const problems = [];
const packages = new Map();
for (const ws of workspaces) {
  const dir = join(root, ws);
  const files = new Map();
  const folders = new Map();
  for (const file of SHIPPED_DIRS.flatMap((d) => sources(join(dir, d)))) {
    if (!files.has(file)) files.set(file, new Set());
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (target === undefined) continue;
        addEdge(files, file, target);
        // Folder: the first folder under src/ or bin/ ("src/report"). A file at the top of src/
        // (errors.ts) and an entry file (index.ts of a subpath export, which re-exports from
        // anywhere) are nodes of their own.
        const folderOf = (f) =>
          f.endsWith('/index.ts')
            ? relative(dir, f)
            : relative(dir, f).split('/').slice(0, 2).join('/');
        const a = folderOf(file);
        const b = folderOf(target);
        if (a !== b) addEdge(folders, a, b);
      } else {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        if (names.has(name) && names.get(name) !== ws) addEdge(packages, ws, names.get(name));
      }
    }
  }
  for (const cycle of cycles(files))
    problems.push(
      `${ws}: files import each other: ${cycle.map((f) => relative(dir, f)).join(' ⇄ ')}`,
    );
  for (const cycle of cycles(folders))
    problems.push(`${ws}: folders import each other: ${cycle.join(' ⇄ ')}`);
}
for (const cycle of cycles(packages))
  problems.push(`workspaces import each other: ${cycle.join(' ⇄ ')}`);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
