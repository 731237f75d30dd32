/** The three simulated services and where their lines enter kinlog. */
export const DemoSources = {
  /** Storefront pages, logged through the Winston transport. */
  WINSTON: 'winston',
  /** JSON API, logged through the Pino transport. */
  PINO: 'pino',
  /** The edge proxy's access log on disk, tailed by `kinlog ship`. */
  NGINX: 'nginx',
} as const;
export type DemoSource = (typeof DemoSources)[keyof typeof DemoSources];

/** A failure the simulation injects: one (region, page) failing hard during some phases. */
export interface DemoIncident {
  readonly source: DemoSource;
  readonly region: string;
  /** The page as the analyzer folds it (ids become `:id`). */
  readonly page: string;
  readonly status: number;
  readonly message: string;
  /** Failing requests per second on top of normal traffic. */
  readonly perSecond: number;
  /** 1-based phases in which it is active. */
  readonly phases: readonly number[];
}

/**
 * The story of the demo: what breaks in which phase. Each incident outweighs the background
 * noise (a few random 4xx/5xx everywhere), so the top rows of each iteration are these pages.
 */
export const DemoIncidents: readonly DemoIncident[] = [
  {
    source: DemoSources.WINSTON,
    region: 'EU',
    page: '/checkout',
    status: 503,
    message: 'payment gateway unavailable',
    perSecond: 9,
    phases: [1, 2],
  },
  {
    source: DemoSources.WINSTON,
    region: 'SA',
    page: '/login',
    status: 401,
    message: 'invalid credentials, a burst from one client',
    perSecond: 6,
    phases: [1],
  },
  {
    source: DemoSources.PINO,
    region: 'NA',
    page: '/api/search',
    status: 500,
    message: 'search index unavailable: shard 3 not responding',
    perSecond: 10,
    phases: [2, 3],
  },
  {
    source: DemoSources.NGINX,
    region: 'APAC',
    page: '/api/orders/:id',
    status: 502,
    message: 'upstream prematurely closed connection',
    perSecond: 12,
    phases: [3],
  },
];

/** The pages the simulation makes fail, for checks and the closing summary. */
export const FAILING_PAGES: readonly string[] = [...new Set(DemoIncidents.map((i) => i.page))];
