/*
 * clientIp ──clean──▶ "8.8.8.8" ──geoip-country (lazy, ~8 MB in memory)──▶ { country: 'US',
 * continent: 'NA' } ──REGION_OF_CONTINENT / MIDDLE_EAST──▶ 'NA'
 */
import { createRequire } from 'node:module';
import { BoundedCache } from './bounded-cache.js';

/**
 * The coarse regions an IP address is mapped to. Continents, except that Asia and Oceania are
 * one region (`APAC`, as cloud providers and most sales territories group them) and the Middle
 * East (western Asia plus Egypt) is its own (`ME`), since it is usually served and staffed apart
 * from the rest of Asia.
 */
export const GeoRegions = {
  NA: 'NA',
  SA: 'SA',
  EU: 'EU',
  AF: 'AF',
  ME: 'ME',
  APAC: 'APAC',
  AN: 'AN',
} as const;
export type GeoRegion = (typeof GeoRegions)[keyof typeof GeoRegions];

/** What a GeoIP lookup found for one address. */
export interface GeoipLocation {
  /** ISO 3166-1 alpha-2 country code, e.g. `US`. */
  readonly country: string;
  /** Continent code of the database: AF, AN, AS, EU, NA, OC or SA. */
  readonly continent: string;
  readonly region: GeoRegion;
}

/** Longest client IP field looked at (an IPv6 address with zone and port fits easily). */
const MAX_IP_CHARS = 64;

const REGION_OF_CONTINENT: Readonly<Record<string, GeoRegion>> = {
  NA: GeoRegions.NA,
  SA: GeoRegions.SA,
  EU: GeoRegions.EU,
  AF: GeoRegions.AF,
  AS: GeoRegions.APAC,
  OC: GeoRegions.APAC,
  AN: GeoRegions.AN,
};

const MIDDLE_EAST: ReadonlySet<string> = new Set([
  'AE',
  'BH',
  'EG',
  'IL',
  'IQ',
  'IR',
  'JO',
  'KW',
  'LB',
  'OM',
  'PS',
  'QA',
  'SA',
  'SY',
  'TR',
  'YE',
]);

/** The part of the `geoip-country` API used here (the package ships no types). */
interface GeoipCountryModule {
  lookup(ip: string): { readonly country?: unknown; readonly continent?: unknown } | null;
}

let database: GeoipCountryModule | undefined;

/**
 * Loads the database on first use only: it costs ~20 ms and ~8 MB, which a run whose events all
 * carry a region never needs to pay. `geoip-country` ships GeoLite2 country data in the npm
 * package itself, so nothing is downloaded at install or run time.
 */
function geoipDatabase(): GeoipCountryModule {
  database ??= createRequire(import.meta.url)('geoip-country') as GeoipCountryModule;
  return database;
}

/**
 * Looks up the country and region of a client address in the offline GeoIP database. Accepts
 * what log fields hold: `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`, `::ffff:1.2.3.4`, or an
 * `X-Forwarded-For` list (the first address is the client). Private, reserved, unknown or
 * malformed addresses give `undefined`.
 *
 * @example
 * ```ts
 * lookupGeoip('8.8.8.8'); // { country: 'US', continent: 'NA', region: 'NA' }
 * lookupGeoip('10.0.0.1'); // undefined
 * ```
 */
export function lookupGeoip(clientIp: unknown): GeoipLocation | undefined {
  const ip = cleanIp(clientIp);
  if (ip === undefined) return undefined;
  const found = geoipDatabase().lookup(ip);
  if (found === null || typeof found.country !== 'string' || typeof found.continent !== 'string') {
    return undefined;
  }
  const region = MIDDLE_EAST.has(found.country)
    ? GeoRegions.ME
    : REGION_OF_CONTINENT[found.continent];
  if (region === undefined) return undefined;
  return { country: found.country, continent: found.continent, region };
}

/**
 * {@link lookupGeoip} reduced to the region name, in the shape `classifyEvent`'s `regionOf`
 * option takes.
 *
 * @example
 * ```ts
 * classifyEvent(event, { regionOf: geoipRegionOf });
 * geoipRegionOf('8.8.8.8'); // 'NA'
 * ```
 */
export function geoipRegionOf(clientIp: string): GeoRegion | undefined {
  // A client address usually sends many requests: remember recent answers (bounded).
  return typeof clientIp === 'string' ? regionCache.get(clientIp) : undefined;
}

/** Addresses whose region is remembered (two generations of this many). */
const REGION_CACHE_ENTRIES = 4096;
const regionCache = new BoundedCache<GeoRegion | undefined>(
  REGION_CACHE_ENTRIES,
  MAX_IP_CHARS,
  (ip) => lookupGeoip(ip)?.region,
);

function cleanIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let ip = value.length > MAX_IP_CHARS ? value.slice(0, MAX_IP_CHARS) : value;
  const comma = ip.indexOf(',');
  if (comma >= 0) ip = ip.slice(0, comma);
  ip = ip.trim();
  if (ip.startsWith('[')) {
    const close = ip.indexOf(']');
    return close > 1 ? ip.slice(1, close) : undefined;
  }
  const colon = ip.indexOf(':');
  // One colon: IPv4 with a port. More: IPv6, possibly with a zone.
  if (colon >= 0 && ip.indexOf(':', colon + 1) < 0) ip = ip.slice(0, colon);
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  return ip === '' ? undefined : ip;
}
