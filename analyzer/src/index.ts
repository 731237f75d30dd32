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
export { rawPageOf, PAGE_FIELDS } from './classify/raw-page-of.js';
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
  type TopNSignature,
  type TopNResult,
  type TopNRow,
  type TopNTotals,
} from './aggregate/top-n-result.js';
export { MAX_EXAMPLE_CHARS, SIGNATURES_PER_KEY } from './aggregate/top-n-result.js';
export {
  KeyHistoryLimits,
  countInHistory,
  type KeyHistory,
  type KeyCounts,
  type KeyFilter,
} from './aggregate/key-history.js';
export { previousCountOf } from './aggregate/previous-count.js';
export {
  AnalyzerError,
  TableMissingError,
  IterationConflictError,
  PreviousIterationMissingError,
  IterationNotFoundError,
  WindowNotReplayableError,
  StreamNotFoundError,
  StreamReadError,
  CheckpointStoreError,
  CorruptItemError,
  ReportTooLargeError,
} from './errors.js';
export { compareSequenceNumbers, isInWindow, maxSequenceNumber } from './stream/sequence-number.js';
export type { ShardInfo, StreamRecord, IteratorStart, RecordsPage } from './stream/shard-info.js';
export {
  KinesisShardSource,
  ReadThrottledError,
  IteratorExpiredError,
  type ShardSource,
} from './stream/kinesis-shard-source.js';
export {
  readShard,
  StopReasons,
  ShardReaderDefaults,
  type StopReason,
  type ShardReadPlan,
  type ShardReadEnd,
  type ShardReadOptions,
} from './stream/shard-reader.js';
export { readShardsInOrder, ReadShardsDefaults } from './stream/read-shards-in-order.js';
export {
  RecordDecoder,
  RecordDecoderLimits,
  AUTO_PARSER,
  type DecoderParser,
  type DecodeStats,
  SCREENED_OUT,
  type RecordScreen,
  type RecordBytesScreen,
  type RecordDecoderOptions,
} from './decode/record-decoder.js';
export { createMayBeErrorBytes, mayBeError } from './classify/may-be-error.js';
export {
  JsonPeek,
  JsonPeekLimits,
  OPAQUE_ARRAY,
  OPAQUE_OBJECT,
  type JsonPeekFields,
} from './decode/json-peek.js';
export { BoundedCache } from './classify/bounded-cache.js';
export {
  deaggregate,
  isKplAggregate,
  KplFormat,
  type KplUserRecord,
} from './decode/kpl-aggregate.js';
export {
  DynamoCheckpointStore,
  CheckpointStoreDefaults,
  type CheckpointStoreOptions,
} from './checkpoint/dynamo-checkpoint-store.js';
export {
  IterationStatuses,
  StoredReportFormats,
  STORED_REPORT_FORMAT,
  type StoredReportFormat,
  type IterationStatus,
  type IterationItem,
  type StoredReport,
  type CheckpointItem,
} from './checkpoint/stored-items.js';
export { nextStartAfter, type ShardWindow } from './window/shard-window.js';
export { planWindow, compareShardIds, type PlannedShard } from './window/plan-window.js';
export {
  analyzeShards,
  type AnalyzePlan,
  type AnalyzeProgress,
  type AnalyzeSettings,
} from './window/analyze-shards.js';
export {
  Analyzer,
  AnalyzerDefaults,
  type AnalyzerOptions,
  type IterationOutcome,
  type WholeStreamOutcome,
} from './window/analyzer.js';
export { analyzeCommand, AnalyzeCommandDefaults } from './cli/analyze-command.js';
export {
  isDuration,
  isTimeZone,
  parseSchedule,
  ScheduleLimits,
  type Schedule,
  type ScheduleOptions,
} from './cli/schedule.js';
export { formatTable, AnalyzeFormats, type AnalyzeFormat } from './cli/format-report.js';
export { displayText, DisplayTextLimits } from './report/display-text.js';
export { displayWidth, codePointWidth, fitWidth, padWidth } from './report/display-width.js';
export { escapeHtml } from './report/escape-html.js';
export {
  buildReportView,
  parseTopNResult,
  changeLabel,
  dominantKind,
  storedFormatOf,
  GoneStates,
  ReportViewDefaults,
  type GoneRow,
  type GoneState,
  type ReportView,
  type ReportRow,
  type ReportShard,
  type ReportViewOptions,
  type PageOwner,
} from './report/report-view.js';
export { renderTable, TableDefaults, type TableOptions } from './report/render-table.js';
export { renderJson, REPORT_JSON_VERSION } from './report/render-json.js';
export { renderCsv, csvCell, CsvLimits } from './report/render-csv.js';
export { renderHtml, HtmlStyle } from './report/render-html.js';
export { renderText } from './report/render-text.js';
export { reportSubject, SubjectLimits } from './report/report-subject.js';
export {
  smtpSettingsFromUrl,
  redactSecrets,
  SmtpDefaults,
  type SmtpSettings,
} from './report/smtp-settings.js';
export {
  ReportMailer,
  mayHaveBeenSent,
  type ReportMessage,
  type SentReceipt,
} from './report/report-mailer.js';
export { EmailClaimStore, type EmailState, type ClaimResult } from './report/email-claim-store.js';
export { lookupPageOwners, OwnersTableLimits } from './report/owners-table.js';
export { loadReportView, type LoadReportOptions } from './report/load-report-view.js';
export {
  sendIterationReport,
  SendReportDefaults,
  type SendIterationReportOptions,
  type SendIterationReportOutcome,
} from './report/send-iteration-report.js';
export {
  reportCommand,
  ReportFormats,
  SMTP_PASSWORD_ENV,
  type ReportFormat,
} from './cli/report-command.js';
export { ReportEmailError, ReportEmailUnconfirmedError } from './errors.js';
export {
  IterationEmailer,
  IterationEmailerDefaults,
  type IterationEmailerOptions,
} from './report/iteration-emailer.js';
export { defaultSender, DEFAULT_SENDER_LOCAL_PART } from './report/default-sender.js';
