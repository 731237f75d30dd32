#!/usr/bin/env node
// The `kinlog` command that npm links at install time. It is plain JavaScript and committed, so
// the link exists right after `npm ci`, before the TypeScript CLI (bin/kinlog.ts) is compiled.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/bin/kinlog.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write('kinlog: the CLI is not built yet: run `npm run build` first\n');
  process.exit(1);
}
await import(compiled.href);
