import { ConfigError, PutRecordsEntryErrors } from '@kinlog/core';
import type { ConfigProblem, PutRecordsEntryError } from '@kinlog/core';
import { AwsErrorTypes, KinesisWire } from '../kinesis-wire/aws-json.js';

/**
 * Whole-request throttling errors the proxy may answer with (HTTP 400).
 *
 * @example
 * ```ts
 * proxy.setFaults({ throttleRate: 1, throttleErrorTypes: [ThrottleErrorTypes.LIMIT_EXCEEDED] });
 * ```
 */
export const ThrottleErrorTypes = {
  THROUGHPUT: AwsErrorTypes.THROUGHPUT,
  LIMIT_EXCEEDED: AwsErrorTypes.LIMIT_EXCEEDED,
} as const;
export type ThrottleErrorType = (typeof ThrottleErrorTypes)[keyof typeof ThrottleErrorTypes];

/**
 * How requests fail during an outage window.
 *
 * @example
 * ```ts
 * proxy.outage(2_000, OutageModes.RESET);
 * ```
 */
export const OutageModes = {
  /** HTTP 503 `ServiceUnavailable`. */
  UNAVAILABLE: 'unavailable',
  /** The connection is reset (TCP RST) without an answer. */
  RESET: 'reset',
} as const;
export type OutageMode = (typeof OutageModes)[keyof typeof OutageModes];

/**
 * What the fault proxy does to traffic. Rates are probabilities in [0, 1], drawn per request
 * (or per entry) from the proxy's seeded generator. Whole-request faults are checked in the
 * order reset, request error, throttle, each with its own draw. Entry faults apply to the JSON
 * 1.1 bodies the JS SDK sends; other content types (CBOR) are forwarded untouched.
 *
 * @example
 * ```ts
 * const plan: FaultPlan = { entryFailureRate: 0.05, throttleRate: 0.01, latencyMs: 20 };
 * ```
 */
export interface FaultPlan {
  /** Share of PutRecords entries failed in an HTTP 200 answer, as AWS does. */
  entryFailureRate?: number;
  /** Error codes given to failed entries, picked uniformly; default both AWS codes. */
  entryErrorCodes?: readonly PutRecordsEntryError[];
  /** Operations whole-request faults apply to; default `['PutRecords']`. */
  faultOperations?: readonly string[];
  /** Share of requests answered HTTP 500 `InternalFailure`. */
  requestErrorRate?: number;
  /** Share of requests answered HTTP 400 with one of {@link FaultPlan.throttleErrorTypes}. */
  throttleRate?: number;
  /** Throttling errors picked uniformly; default both. */
  throttleErrorTypes?: readonly ThrottleErrorType[];
  /** Share of requests whose connection is reset before forwarding (never reach upstream). */
  resetRate?: number;
  /** Share of requests forwarded to upstream whose answer is then lost to a connection reset. */
  lostResponseRate?: number;
  /** Delay added before every request is handled. */
  latencyMs?: number;
  /** Outage start, counted from when this plan is applied; needs `outageMs`. */
  outageAtMs?: number;
  /** Outage length; every request of every operation fails meanwhile. */
  outageMs?: number;
  /** How requests fail during an outage; default `unavailable` (HTTP 503). */
  outageMode?: OutageMode;
  /** Per-shard write budget in records per second; entries above it fail with throughput errors. */
  shardRecordsPerSecond?: number;
  /** Per-shard write budget in bytes (data + partition key) per second. */
  shardBytesPerSecond?: number;
}

/**
 * A {@link FaultPlan} with every default filled in.
 *
 * @example
 * ```ts
 * const plan: ResolvedFaultPlan = proxy.faults();
 * ```
 */
export type ResolvedFaultPlan = Required<Omit<FaultPlan, 'outageAtMs' | 'outageMs'>> &
  Pick<FaultPlan, 'outageAtMs' | 'outageMs'>;

/**
 * The plan of a proxy that forwards everything untouched.
 *
 * @example
 * ```ts
 * proxy.setFaults(NO_FAULTS); // back to a transparent proxy
 * ```
 */
export const NO_FAULTS: ResolvedFaultPlan = {
  entryFailureRate: 0,
  entryErrorCodes: [PutRecordsEntryErrors.THROUGHPUT, PutRecordsEntryErrors.INTERNAL],
  faultOperations: [KinesisWire.OPERATIONS.PUT_RECORDS],
  requestErrorRate: 0,
  throttleRate: 0,
  throttleErrorTypes: [ThrottleErrorTypes.THROUGHPUT, ThrottleErrorTypes.LIMIT_EXCEEDED],
  resetRate: 0,
  lostResponseRate: 0,
  latencyMs: 0,
  outageMode: OutageModes.UNAVAILABLE,
  shardRecordsPerSecond: Number.POSITIVE_INFINITY,
  shardBytesPerSecond: Number.POSITIVE_INFINITY,
};

const RATE_KEYS = [
  'entryFailureRate',
  'requestErrorRate',
  'throttleRate',
  'resetRate',
  'lostResponseRate',
] as const;
const DURATION_KEYS = ['latencyMs', 'outageAtMs', 'outageMs'] as const;
const BUDGET_KEYS = ['shardRecordsPerSecond', 'shardBytesPerSecond'] as const;
const LIST_KEYS = ['entryErrorCodes', 'faultOperations', 'throttleErrorTypes'] as const;

/**
 * Merges `changes` over `base` and validates the result, reporting every problem at once.
 *
 * @example
 * ```ts
 * const plan = resolveFaultPlan(NO_FAULTS, { entryFailureRate: 0.1 });
 * ```
 */
export function resolveFaultPlan(
  base: ResolvedFaultPlan,
  changes: FaultPlan = {},
): ResolvedFaultPlan {
  const problems: ConfigProblem[] = [];
  for (const key of RATE_KEYS) {
    const value = changes[key];
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      problems.push({ path: key, message: `must be a rate between 0 and 1, got ${value}` });
    }
  }
  for (const key of DURATION_KEYS) {
    const value = changes[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      problems.push({ path: key, message: `must be a duration ≥ 0 ms, got ${value}` });
    }
  }
  for (const key of BUDGET_KEYS) {
    const value = changes[key];
    if (value !== undefined && !(value > 0)) {
      problems.push({ path: key, message: `must be > 0 (Infinity for no limit), got ${value}` });
    }
  }
  for (const key of LIST_KEYS) {
    const value = changes[key];
    if (value !== undefined && value.length === 0) {
      problems.push({ path: key, message: 'must list at least one value' });
    }
  }
  const entryCodes: readonly string[] = Object.values(PutRecordsEntryErrors);
  for (const code of changes.entryErrorCodes ?? []) {
    if (!entryCodes.includes(code)) {
      problems.push({ path: 'entryErrorCodes', message: `unknown entry error code ${code}` });
    }
  }
  const throttleTypes: readonly string[] = Object.values(ThrottleErrorTypes);
  for (const type of changes.throttleErrorTypes ?? []) {
    if (!throttleTypes.includes(type)) {
      problems.push({ path: 'throttleErrorTypes', message: `unknown throttling error ${type}` });
    }
  }
  const modes: readonly string[] = Object.values(OutageModes);
  if (changes.outageMode !== undefined && !modes.includes(changes.outageMode)) {
    problems.push({ path: 'outageMode', message: `must be one of ${modes.join(', ')}` });
  }
  if (changes.outageAtMs !== undefined && changes.outageMs === undefined) {
    problems.push({ path: 'outageAtMs', message: 'needs outageMs' });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid fault plan');
  const defined = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as FaultPlan;
  return { ...base, ...defined };
}
