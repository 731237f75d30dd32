//   read ─► prepared queue ─► put (window.put) ─► Kinesis ─► ack ─► commit prefix ─► state fsynced
//                                   ▲                                                   │
//                                   └──────── window.release(records now durable) ◄─────┘
//
// A kill -9 re-sends exactly the records put since the last durable commit. Holding that number
// to `limit` (and their bytes to `limitBytes`) bounds what a crash duplicates, and what the sink
// holds, whatever the files, batches or timings.
//
// The window is several times what is in flight, so commits can be grouped: while it has room,
// acknowledged records wait for the next timed commit (commitIntervalMs) and reading goes on. A
// full window asks for a commit at once only when a quarter of what it holds is acknowledged
// (`commitDue`); before that a commit would free little, and committing on every
// acknowledgement is one fsync per request.

/**
 * Counts a flow's records that were handed to its sink and whose offsets are not yet in a
 * durably written state file, and makes reading wait while that count is at its limit. Pure
 * bookkeeping, apart from the timer that bounds a wait.
 *
 * @example
 * ```ts
 * const w = new CommitWindow(500, 2 * 1024 * 1024);
 * while (!w.full) w.put(200);    // records of 200 bytes handed to the sink, up to 500
 * const room = w.wait(250);      // resolves on release(), or after 250 ms
 * w.release(500, 100_000);       // their offsets were fsynced
 * await room;
 * ```
 */
export class CommitWindow {
  private outstanding = 0;
  private outstandingBytes = 0;
  private ackedRecords = 0;
  private ackedBytes = 0;
  private waiters: (() => void)[] = [];

  /**
   * @param limit records put and not yet durable, at most.
   * @param limitBytes their bytes (as put), at most; one record always fits an empty window.
   */
  constructor(
    readonly limit: number,
    readonly limitBytes = Infinity,
  ) {}

  /** Records put and not yet durably committed. */
  get count(): number {
    return this.outstanding;
  }

  /** Bytes of the records put and not yet durably committed. */
  get bytes(): number {
    return this.outstandingBytes;
  }

  /** True when no further record may be put. */
  get full(): boolean {
    return this.outstanding >= this.limit || this.outstandingBytes >= this.limitBytes;
  }

  /** Records acknowledged and not yet durably committed. */
  get acked(): number {
    return this.ackedRecords;
  }

  /**
   * True when the window is full and a quarter of what it holds (records or bytes) is
   * acknowledged: a commit now frees enough to read on, so it should not wait for its timer.
   */
  get commitDue(): boolean {
    return (
      this.full &&
      (this.ackedRecords * 4 >= this.outstanding || this.ackedBytes * 4 >= this.outstandingBytes)
    );
  }

  /** One more record, of `bytes`, handed to the sink. */
  put(bytes = 0): void {
    this.outstanding++;
    this.outstandingBytes += bytes;
  }

  /** `n` records of `bytes` were acknowledged by Kinesis (not durable yet). */
  ack(n: number, bytes = 0): void {
    this.ackedRecords += n;
    this.ackedBytes += bytes;
  }

  /**
   * `n` records of `bytes` became durable (or no longer matter); wakes waiters when there is
   * room.
   */
  release(n: number, bytes = 0): void {
    if (n <= 0 && bytes <= 0) return;
    this.outstanding = Math.max(0, this.outstanding - n);
    this.outstandingBytes = Math.max(0, this.outstandingBytes - bytes);
    this.ackedRecords = Math.max(0, this.ackedRecords - n);
    this.ackedBytes = Math.max(0, this.ackedBytes - bytes);
    if (!this.full) this.wakeAll();
  }

  /**
   * Resolves on the next release that leaves room, on {@link wakeAll}, or after `timeoutMs`.
   * The timer is referenced on purpose: a daemon waiting for its commit has nothing else
   * keeping its process alive.
   */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(done);
        if (i !== -1) void this.waiters.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }

  /** Resolves every waiter (stop, or room). */
  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
