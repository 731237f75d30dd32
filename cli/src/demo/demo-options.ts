import { ConfigError, type ConfigProblem } from '@kinlog/core';
import { z } from 'zod';

/** Defaults and bounds of `kinlog demo`. */
export const DemoDefaults = {
  DURATION_S: 30,
  QUICK_DURATION_S: 6,
  MIN_DURATION_S: 3,
  MAX_DURATION_S: 600,
  OUT_DIR: 'demo-output',
  SEED: 42,
  PHASES: 3,
  SHARDS: 2,
  STREAM_NAME: 'kinlog-demo',
  ANALYZER_NAME: 'demo',
  TOP: 10,
  /** Normal requests per second of each simulated service. */
  WINSTON_PER_SECOND: 60,
  PINO_PER_SECOND: 60,
  NGINX_PER_SECOND: 100,
  TICK_MS: 50,
  /** Bound on delivering a phase's events before its iteration runs. */
  DELIVERY_TIMEOUT_MS: 20_000,
  REPORT_TO: 'ops@example.com',
  REPORT_FROM: 'kinlog-demo@example.com',
  /** The saved query each iteration runs over its window (as `kinlog analyze --query`). */
  SAVED_QUERY: {
    name: 'events-by-format',
    sql:
      'SELECT _format AS format, count(*) AS events, ' +
      'count(*) FILTER (WHERE status >= 500) AS errors_5xx ' +
      'FROM logs GROUP BY _format ORDER BY events DESC, format',
  },
} as const;

/** `kinlog demo` options after validation. */
export interface DemoOptions {
  readonly durationMs: number;
  readonly outDir: string;
  readonly seed: number;
  readonly realAws: boolean;
}

const schema = z.object({
  duration: z.coerce
    .number({ error: '--duration must be a number of seconds' })
    .min(DemoDefaults.MIN_DURATION_S, {
      error: `--duration must be at least ${DemoDefaults.MIN_DURATION_S} s`,
    })
    .max(DemoDefaults.MAX_DURATION_S, {
      error: `--duration must be at most ${DemoDefaults.MAX_DURATION_S} s`,
    })
    .optional(),
  quick: z.boolean().optional(),
  out: z.string().min(1, { error: '--out must not be empty' }).optional(),
  seed: z.coerce
    .number({ error: '--seed must be a whole number' })
    .int({ error: '--seed must be a whole number' })
    .optional(),
  realAws: z.boolean().optional(),
});

/**
 * Validates the command line of `kinlog demo`; every problem at once.
 *
 * @example
 * ```ts
 * resolveDemoOptions({ quick: true }); // { durationMs: 6000, outDir: 'demo-output', seed: 42, realAws: false }
 * ```
 */
export function resolveDemoOptions(raw: Record<string, unknown>): DemoOptions {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
      path: `--${String(issue.path[0] ?? '')}`,
      message: issue.message,
    }));
    throw new ConfigError(problems, 'invalid demo options');
  }
  const o = parsed.data;
  if (o.quick === true && o.duration !== undefined) {
    throw new ConfigError(
      [{ path: '--quick', message: 'cannot be combined with --duration' }],
      'invalid demo options',
    );
  }
  const seconds =
    o.duration ?? (o.quick === true ? DemoDefaults.QUICK_DURATION_S : DemoDefaults.DURATION_S);
  return {
    durationMs: Math.round(seconds * 1000),
    outDir: o.out ?? DemoDefaults.OUT_DIR,
    seed: o.seed ?? DemoDefaults.SEED,
    realAws: o.realAws ?? false,
  };
}
