#!/usr/bin/env node
// Regenerates the CLI reference in README.md from every command's --help (`npm run docs`).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { renderCliReference, withCliReference } from '../src/docs/cli-reference.js';
import { kinlogProgram } from '../src/kinlog-program.js';

const readmePath = process.argv[2] ?? fileURLToPath(new URL('../../../README.md', import.meta.url));
const context = {
  signal: new AbortController().signal,
  stdout: new PassThrough(),
  stderr: new PassThrough(),
};
const readme = await readFile(readmePath, 'utf8');
await writeFile(readmePath, withCliReference(readme, renderCliReference(kinlogProgram(context))));
process.stdout.write(`updated the CLI reference in ${readmePath}\n`);
