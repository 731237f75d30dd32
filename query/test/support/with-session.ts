import { SpoolDirectory } from '../../src/load/ndjson-spool.js';
import { QuerySession, type QuerySessionOptions } from '../../src/session/query-session.js';

/**
 * Runs `test` with a fresh DuckDB session (of `options`) and spool, both closed afterwards.
 *
 * @example
 * ```ts
 * await withSession({ threads: 2 }, async (session, spool) => { ... });
 * ```
 */
export async function withSession(
  options: QuerySessionOptions,
  test: (session: QuerySession, spool: SpoolDirectory) => Promise<void>,
): Promise<void> {
  const session = await QuerySession.open(options);
  const spool = await SpoolDirectory.create();
  try {
    await test(session, spool);
  } finally {
    session.close();
    await spool.remove();
  }
}
