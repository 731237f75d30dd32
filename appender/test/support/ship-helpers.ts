import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { readAllRecords } from '@kinlog/testkit';
import {
  resolveShipConfig,
  type ShipConfig,
  type ShipConfigInput,
} from '../../src/daemon/index.js';

/** Fast polling and flushing, so the daemon tests take seconds. */
export const FAST = { pollIntervalMs: 20, releaseIdleMs: 300, statsIntervalMs: 0 } as const;

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function shipConfig(
  input: ShipConfigInput & Partial<Pick<ShipConfigInput, 'flows'>>,
): ShipConfig {
  return resolveShipConfig({ ...FAST, sink: { flushIntervalMs: 50 }, ...input });
}

/** A Writable that keeps what is written, line by line. */
export class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
  events(): Record<string, unknown>[] {
    return this.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/** Waits until `check` is true, polling; fails with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Events read back from a stream, parsed. */
export async function streamEvents(
  streamName: string,
  endpoint?: string,
): Promise<Record<string, unknown>[]> {
  const records = await readAllRecords({ streamName, endpoint });
  return records.map((r) => JSON.parse(r.data.toString('utf8')) as Record<string, unknown>);
}

/** How many times each numbered line (`msg` "<tag> <n> ...") arrived. */
export function countNumbers(events: Record<string, unknown>[], tag: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const e of events) {
    const m = /^(\S+) (\d+)/.exec(String(e.msg));
    if (m === null || m[1] !== tag) continue;
    const n = Number(m[2]);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

/** Numbers in [0, total) that are missing, and how many arrived more than once. */
export function lossAndDuplicates(
  counts: Map<number, number>,
  total: number,
): { missing: number[]; duplicates: number } {
  const missing: number[] = [];
  let duplicates = 0;
  for (let n = 0; n < total; n++) {
    const c = counts.get(n) ?? 0;
    if (c === 0) missing.push(n);
    else duplicates += c - 1;
  }
  return { missing, duplicates };
}
