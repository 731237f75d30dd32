import { countInHistory } from './key-history.js';
import type { TopNResult } from './top-n-result.js';

/**
 * A key's count in an earlier result: its row's count, else what the result's key history says
 * (a count, or 0 when the key certainly had none), else 0 when the result held every key in its
 * rows; `null` when it cannot be told (below that result's cut-off).
 *
 * @example
 * ```ts
 * previousCountOf(previousResult, 'EU', '/cart'); // 12, 0 or null
 * ```
 */
export function previousCountOf(
  previous: Pick<TopNResult, 'rows' | 'bounded' | 'totals' | 'keyHistory'>,
  region: string,
  page: string,
): number | null {
  for (const row of previous.rows) if (row.region === region && row.page === page) return row.count;
  if (previous.keyHistory !== undefined) return countInHistory(previous.keyHistory, region, page);
  const complete = !previous.bounded && previous.rows.length >= previous.totals.distinctKeys;
  return complete ? 0 : null;
}
