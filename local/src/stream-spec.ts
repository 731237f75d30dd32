import { ConfigError } from '@kinlog/core';

/** Bounds of `kinlog local --stream name[:shards]`. */
export const StreamSpecLimits = {
  DEFAULT_SHARDS: 1,
  /** kinesalite and kinesis-local both handle this many comfortably on one machine. */
  MAX_SHARDS: 64,
  /** Kinesis stream names: 1–128 characters of `a-zA-Z0-9_.-`. */
  NAME_PATTERN: /^[a-zA-Z0-9_.-]{1,128}$/,
} as const;

/** A stream `kinlog local` creates once its servers run. */
export interface StreamSpec {
  readonly name: string;
  readonly shards: number;
}

/**
 * Reads `--stream` values (`web-logs` or `web-logs:4`), reporting every bad one at once.
 *
 * @throws {ConfigError} naming `--stream`, the value and the limit.
 * @example
 * ```ts
 * parseStreamSpecs(['web-logs:2', 'clicks']); // [{ name: 'web-logs', shards: 2 }, { name: 'clicks', shards: 1 }]
 * ```
 */
export function parseStreamSpecs(values: readonly string[]): StreamSpec[] {
  const problems: { path: string; message: string }[] = [];
  const specs: StreamSpec[] = [];
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    const name = colon < 0 ? value : value.slice(0, colon);
    const shardsText = colon < 0 ? undefined : value.slice(colon + 1);
    const shards = shardsText === undefined ? StreamSpecLimits.DEFAULT_SHARDS : Number(shardsText);
    if (!StreamSpecLimits.NAME_PATTERN.test(name)) {
      problems.push({
        path: '--stream',
        message: `"${value}": a stream name is 1 to 128 characters of letters, digits, _ . -`,
      });
    } else if (!Number.isInteger(shards) || shards < 1 || shards > StreamSpecLimits.MAX_SHARDS) {
      problems.push({
        path: '--stream',
        message: `"${value}": shards must be a whole number from 1 to ${StreamSpecLimits.MAX_SHARDS}`,
      });
    } else {
      specs.push({ name, shards });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return specs;
}
