/**
 * What happens to held records when the host process ends: a dry event loop (`beforeExit`)
 * gives each live sink the chance to deliver; an explicit exit cannot wait, so it is reported.
 */

/** What the exit hooks need of a sink. */
export interface ExitAware {
  /** Starts delivering what is held (the event loop keeps running while it does). */
  drainBeforeExit(): void;
  /** Records still held. */
  heldRecords(): number;
}

const liveSinks = new Set<ExitAware>();
let hooked = false;

/**
 * Watches a sink until {@link forgetAtExit}; installs the process hooks once.
 *
 * @example
 * ```ts
 * watchAtExit(sink); // ... at close:
 * forgetAtExit(sink);
 * ```
 */
export function watchAtExit(sink: ExitAware): void {
  liveSinks.add(sink);
  if (hooked) return;
  hooked = true;
  process.on('beforeExit', onBeforeExit);
  process.on('exit', onExit);
}

/** Stops watching a closed sink. */
export function forgetAtExit(sink: ExitAware): void {
  liveSinks.delete(sink);
}

/** When the event loop runs dry with records still held, deliver them before the process ends. */
function onBeforeExit(): void {
  for (const sink of liveSinks) sink.drainBeforeExit();
}

/**
 * An explicit exit with records still held ends the process before they can be sent, and no
 * hook can wait: say so, once, on stderr (the logger cannot carry its own failure).
 */
function onExit(): void {
  let held = 0;
  for (const sink of liveSinks) held += sink.heldRecords();
  if (held === 0) return;
  process.stderr.write(
    `kinlog: ${held} log record(s) not delivered to Kinesis: the process exited before they ` +
      'were sent. Await closeLogger(logger) before calling process.exit, or set process.exitCode ' +
      'and let the process end by itself.\n',
  );
}
