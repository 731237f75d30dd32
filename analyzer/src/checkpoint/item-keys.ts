/*
 * The keys of every item kind the analyzer stores, built in this one place:
 *
 *   iteration   iterations table   PK = <name>#ITER                 SK = n
 *   report      iterations table   PK = <name>#REPORT               SK = n
 *   checkpoint  checkpoints table  PK = <name>#<stream>#<shardId>   SK = n
 *   saved query iterations table   PK = <name>#QUERY#<n>            SK = i (the i-th --query)
 *   run         iterations table   PK = <name>#RUN                  SK = r (whole-stream run)
 *   runner      iterations table   PK = <name>#RUNNER               SK = 0 (who advances name)
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** A DynamoDB primary key of the analyzer's tables. */
export type ItemKey = { PK: { S: string }; SK: { N: string } } & Record<string, AttributeValue>;

const ITER_SUFFIX = '#ITER';
const REPORT_SUFFIX = '#REPORT';
const QUERY_INFIX = '#QUERY#';
const RUN_SUFFIX = '#RUN';
const RUNNER_SUFFIX = '#RUNNER';

function itemKey(pk: string, sk: number): ItemKey {
  return { PK: { S: pk }, SK: { N: String(sk) } };
}

/**
 * Key builders per item kind, and the readers of what they wrote.
 *
 * @example
 * ```ts
 * ItemKeys.iteration('web', 7); // { PK: { S: 'web#ITER' }, SK: { N: '7' } }
 * ```
 */
export const ItemKeys = {
  /** Partition key of the iteration items of `name`. */
  iterationPk: (name: string): string => name + ITER_SUFFIX,
  iteration: (name: string, iteration: number): ItemKey => itemKey(name + ITER_SUFFIX, iteration),
  /** The name an iteration item's partition key belongs to. */
  nameOfIterationPk: (pk: string): string =>
    pk.endsWith(ITER_SUFFIX) ? pk.slice(0, -ITER_SUFFIX.length) : pk,
  report: (name: string, iteration: number): ItemKey => itemKey(name + REPORT_SUFFIX, iteration),
  /** How a report item is named in the iteration item and in messages: `<name>#REPORT/n`. */
  reportRef: (name: string, iteration: number): string => `${name}${REPORT_SUFFIX}/${iteration}`,
  /** Partition key of the saved-query results of iteration n (one item per query). */
  savedQueriesPk: (name: string, iteration: number): string => `${name}${QUERY_INFIX}${iteration}`,
  savedQuery: (name: string, iteration: number, index: number): ItemKey =>
    itemKey(`${name}${QUERY_INFIX}${iteration}`, index),
  /** Partition key of the whole-stream runs of `name`. */
  runPk: (name: string): string => name + RUN_SUFFIX,
  /** A whole-stream run: its report, status and email state in one item. */
  run: (name: string, run: number): ItemKey => itemKey(name + RUN_SUFFIX, run),
  /** How a run item is named in messages: `<name>#RUN/r`. */
  runRef: (name: string, run: number): string => `${name}${RUN_SUFFIX}/${run}`,
  /** The one item saying whether workers or single runs advance `name` now. */
  runner: (name: string): ItemKey => itemKey(name + RUNNER_SUFFIX, 0),
  checkpoint: (name: string, stream: string, shardId: string, iteration: number): ItemKey =>
    itemKey(`${name}#${stream}#${shardId}`, iteration),
} as const;
