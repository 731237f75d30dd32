/*
 *   hold() ─▶ runner item of the name: free, same mode, or the other mode's hold ran out?
 *      │ yes: mode, by = owner, until = now + holdMs          no: NameInUseError (who, until)
 *      └─▶ renewed every holdMs / 3 in the background until close() (a failed renewal is kept
 *          and thrown by the next hold(), before another iteration starts)
 *   close() ─▶ stop renewing; end the hold at once if this owner renewed it last
 *
 * Single runs and --workers cut iterations differently (one process's window against a stored
 * cut over leases): a name advanced both ways at once would see two cuts of one iteration.
 */
import { ConfigError } from '@kinlog/core';
import type { DynamoCheckpointStore } from '../checkpoint/dynamo-checkpoint-store.js';
import type { RunnerMode } from '../checkpoint/stored-items.js';
import { NameInUseError } from '../errors.js';

/** Defaults of {@link RunnerGuardOptions}. */
export const RunnerGuardDefaults = {
  /** A hold not renewed for this long ends (a crashed run frees the name by then). */
  HOLD_MS: 30_000,
  /** Renewals per hold time. */
  RENEWALS_PER_HOLD: 3,
} as const;

export interface RunnerGuardOptions {
  readonly store: Pick<DynamoCheckpointStore, 'holdRunner' | 'releaseRunner'>;
  readonly name: string;
  readonly mode: RunnerMode;
  /** Who holds it, as messages name it (host:pid, or the worker id). */
  readonly owner: string;
  readonly holdMs?: number;
}

/**
 * Keeps one way of advancing a name (single runs or `--workers`) while this process runs.
 *
 * @example
 * ```ts
 * const guard = new RunnerGuard({ store, name: 'web', mode: RunnerModes.single, owner: 'host:42' });
 * try { await guard.hold(); await analyzer.runIteration(); } finally { await guard.close(); }
 * ```
 */
export class RunnerGuard {
  private readonly options: RunnerGuardOptions;
  private readonly holdMs: number;
  private timer: NodeJS.Timeout | undefined;
  private renewalError: unknown;
  private closed = false;

  constructor(options: RunnerGuardOptions) {
    const holdMs = options.holdMs ?? RunnerGuardDefaults.HOLD_MS;
    if (!Number.isInteger(holdMs) || holdMs < RunnerGuardDefaults.RENEWALS_PER_HOLD) {
      throw new ConfigError([
        {
          path: 'holdMs',
          message: `must be an integer of at least ${RunnerGuardDefaults.RENEWALS_PER_HOLD}`,
        },
      ]);
    }
    this.options = options;
    this.holdMs = holdMs;
  }

  /**
   * Holds the name (again) before an iteration; from the first call on, renews it in the
   * background.
   *
   * @throws {NameInUseError} when the name is advanced the other way.
   */
  async hold(): Promise<void> {
    const failed = this.renewalError;
    this.renewalError = undefined;
    // A renewal lost to the other mode: say so rather than take the name back unnoticed.
    if (failed instanceof NameInUseError) throw failed;
    await this.renew();
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(
      () => {
        this.renew().catch((err: unknown) => {
          this.renewalError ??= err;
        });
      },
      Math.floor(this.holdMs / RunnerGuardDefaults.RENEWALS_PER_HOLD),
    );
    this.timer.unref();
  }

  /** Stops renewing and ends the hold if this owner renewed it last; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const { store, name, mode, owner } = this.options;
    await store.releaseRunner(name, mode, owner);
  }

  private renew(): Promise<void> {
    const { store, name, mode, owner } = this.options;
    return store.holdRunner(name, mode, owner, this.holdMs);
  }
}
