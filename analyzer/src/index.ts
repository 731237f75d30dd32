export type { AnalyzerEvent } from './classify/analyzer-event.js';
export {
  classifyEvent,
  ClassifyDefaults,
  EventKinds,
  NOT_CLASSIFIED,
  UNKNOWN_REGION,
  type ClassifiedEvent,
  type ClassifyOptions,
  type EventKind,
} from './classify/classify-event.js';
export { foldPage, ID_SEGMENT, NO_PAGE, PageLimits } from './classify/fold-page.js';
export {
  EMPTY_SIGNATURE,
  messageSignature,
  SIGNATURE_RULES_VERSION,
  SignatureLimits,
  SignatureMasks,
} from './classify/message-signature.js';
export { isErrorLevel, PINO_ERROR_LEVEL } from './classify/is-error-level.js';
export { httpStatus, HttpStatusRange } from './classify/http-status.js';
export { httpReasonPhrase } from './classify/http-reason-phrase.js';
export { normalizeRegion, MAX_REGION_CHARS } from './classify/normalize-region.js';
export {
  geoipRegionOf,
  GeoRegions,
  lookupGeoip,
  type GeoipLocation,
  type GeoRegion,
} from './classify/geoip-region.js';
export { TopNAggregator, TopNDefaults, type TopNOptions } from './aggregate/top-n-aggregator.js';
export {
  TopNLimits,
  type TopNChange,
  type TopNResult,
  type TopNRow,
  type TopNTotals,
} from './aggregate/top-n-result.js';
export { MAX_EXAMPLE_CHARS, SIGNATURES_PER_KEY } from './aggregate/key-counter.js';
