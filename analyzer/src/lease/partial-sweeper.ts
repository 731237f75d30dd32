/*
 * What several workers leave behind, and who removes it:
 *
 *   commit of k (the merging worker) ─▶ delete k's partials ─▶ older iterations after the swept
 *     mark (a merger killed before its delete), at most MAX_ITERATIONS_PER_PASS ─▶ raise the mark
 *     over the contiguous run done (never past a committed iteration)
 *   replay g of k finished (the last rerunning worker to leave) ─▶ partials of generations 1..g
 *     ─▶ the replay's leases ─▶ its cuts (last: while a cut is left, the next rerun can tell a
 *     finished generation from one to join)
 *
 * Every step deletes by key and skips what is gone, so a pass cut short by a crash is finished
 * by the next one. Cuts and reports of iterations are kept: reruns replay them.
 */
import { leaseKeyOf, type IterationCut, type LeaseStore } from './lease-store.js';

/** Bounds of the clean-up. */
export const PartialSweepDefaults = {
  /** Older iterations (left by a merger that died before deleting) swept by one commit. */
  MAX_ITERATIONS_PER_PASS: 8,
} as const;

/** What one pass deleted. */
export interface SweepOutcome {
  /** Iterations whose partials were deleted (or found gone) in this pass. */
  readonly iterations: number;
  /** Items deleted. */
  readonly items: number;
  /** The swept mark after the pass. */
  readonly sweptThrough: number;
}

/**
 * Lease keys of the shards a cut reads (carried shards have no partial).
 *
 * @example
 * ```ts
 * readShardKeys(cut); // ['logs#shardId-000000000000', …]
 * ```
 */
export function readShardKeys(cut: IterationCut): string[] {
  return cut.shards
    .filter((s) => s.carried === undefined)
    .map((s) => leaseKeyOf(s.stream, s.shardId));
}

/**
 * After iteration `committed` of `name` is committed (report stored): deletes its partials and
 * those of older iterations the swept mark has not passed yet, at most
 * {@link PartialSweepDefaults.MAX_ITERATIONS_PER_PASS} of them, and raises the mark over what
 * is done. Only committed iterations are touched: their partials are read by nobody again.
 *
 * @example
 * ```ts
 * await store.commitIteration('web', 7, workerId);
 * await sweepCommittedPartials(leases, 'web', 7); // { iterations: 1, items: 64, sweptThrough: 7 }
 * ```
 */
export async function sweepCommittedPartials(
  store: LeaseStore,
  name: string,
  committed: number,
  maxIterations: number = PartialSweepDefaults.MAX_ITERATIONS_PER_PASS,
): Promise<SweepOutcome> {
  const from = (await store.sweptThrough(name)) + 1;
  const older = Math.min(committed - 1, from + Math.max(0, maxIterations - 1) - 1);
  const todo: number[] = [];
  for (let k = from; k <= older; k++) todo.push(k);
  if (committed >= from) todo.push(committed);
  let items = 0;
  let mark = from - 1;
  for (const k of todo) {
    const cut = await store.getCut(name, k);
    // No cut: k was run by a single process, which stores no partials.
    if (cut !== undefined) items += await store.deletePartials(name, k, readShardKeys(cut));
    if (k === mark + 1) mark = k;
  }
  if (mark >= from) await store.markSwept(name, mark);
  return { iterations: todo.length, items, sweptThrough: mark };
}

/**
 * Removes a finished replay (`<name>#rerun-<k>`) through generation `generation`: every
 * generation's partials, the replay's leases, then its cuts. Call it once no worker is reading
 * the replay any longer.
 *
 * @returns the partial items deleted.
 * @example
 * ```ts
 * await removeReplay(leases, 'web#rerun-7', cut);
 * ```
 */
export async function removeReplay(store: LeaseStore, replayCut: IterationCut): Promise<number> {
  const { name, iteration: generation } = replayCut;
  const keys = readShardKeys(replayCut);
  let items = 0;
  for (let g = 1; g <= generation; g++) items += await store.deletePartials(name, g, keys);
  // Every lease listed: one made for a shard of another generation's cut goes too.
  const leases = (await store.listLeases(name)).map((l) => l.leaseKey);
  await store.deleteLeases(name, leases);
  for (let g = 1; g <= generation; g++) await store.deleteCut(name, g);
  return items;
}
