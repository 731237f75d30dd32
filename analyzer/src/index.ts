export {
  type TopNChange,
  type TopNSignature,
  type TopNResult,
  type TopNRow,
  type TopNTotals,
} from './aggregate/top-n-result.js';
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
  StreamRecreatedError,
  CheckpointStoreError,
  CorruptItemError,
  ReportTooLargeError,
  SavedQueryTooLargeError,
  ReportEmailError,
  ReportEmailUnconfirmedError,
  RunNotFoundError,
  NameInUseError,
} from './errors.js';
export {
  DynamoCheckpointStore,
  CheckpointStoreDefaults,
  type CheckpointStoreOptions,
} from './checkpoint/dynamo-checkpoint-store.js';
export {
  IterationStatuses,
  ReportKinds,
  type ReportKind,
  type IterationStatus,
  SavedQueryLimits,
  StoredQueryResultFormats,
  type StoredQueryResult,
} from './checkpoint/stored-items.js';
export {
  readStoredReport,
  StoredReportFormats,
  STORED_REPORT_FORMAT,
  MULTI_STREAM_REPORT_FORMAT,
  RUN_REPORT_FORMAT,
  streamCutsOf,
  type StoredReportFormat,
  type StoredReport,
  type StoredStreamCut,
  type StoredFormats,
  type LeasedReportInfo,
} from './checkpoint/stored-report.js';
export {
  WindowReadKinds,
  type WindowReadKind,
  type WindowReadInfo,
  type WindowRecordOrigin,
  type WindowSink,
  type WindowHook,
} from './window/window-hook.js';
export {
  Analyzer,
  AnalyzerDefaults,
  type AnalyzerOptions,
  type IterationOutcome,
  type WholeStreamOutcome,
} from './window/analyzer.js';
export {
  analyzeCommand,
  AnalyzeCommandDefaults,
  type AnalyzeCommandExtensions,
  type SavedQuerySpec,
} from './cli/analyze-command.js';
export {
  buildReportView,
  reportFormatsOf,
  GoneStates,
  type GoneRow,
  type GoneState,
  type ReportView,
  type ReportRow,
  type ReportShard,
  type ReportViewOptions,
  type PageOwner,
} from './report/report-view.js';
export { renderTable, type TableOptions } from './report/render-table.js';
export { renderJson, REPORT_JSON_VERSION } from './report/render-json.js';
export { renderCsv } from './report/render-csv.js';
export { renderHtml } from './report/render-html.js';
export { renderText } from './report/render-text.js';
export {
  isNumericColumnType,
  rowAsObject,
  renderSavedQueriesText,
  renderSavedQueriesHtml,
  savedQueriesJson,
  withSavedQueriesHtml,
  withSavedQueriesJson,
  SavedQueryRenderLimits,
} from './report/render-saved-queries.js';
export {
  smtpSettingsFromUrl,
  SmtpDefaults,
  type SmtpSettings,
} from './report-delivery/smtp-settings.js';
export { loadReportView, type LoadReportOptions } from './report-delivery/load-report-view.js';
export {
  sendIterationReport,
  SendReportDefaults,
  type SendIterationReportOptions,
  type SendIterationReportOutcome,
} from './report-delivery/send-iteration-report.js';
export {
  reportCommand,
  ReportFormats,
  SMTP_PASSWORD_ENV,
  type ReportFormat,
} from './cli/report-command.js';

// Reading a window's records as the analyzer does (used by @kinlog/query).
export { KinesisShardSource, type ShardSource } from './stream/kinesis-shard-source.js';
export { readShardsInOrder, type OrderedReadStep } from './stream/read-shards-in-order.js';
export {
  type ShardInfo,
  type StreamRecord,
  type IteratorStart,
  type RecordsPage,
} from './stream/shard-info.js';
export { classifyEvent } from './classify/classify-event.js';
export { TopNAggregator } from './aggregate/top-n-aggregator.js';
export { compareShardIds } from './window/plan-window.js';
export {
  RecordDecoder,
  AUTO_PARSER,
  type DecodeStats,
  type DecodedFormat,
  type DecoderParser,
  type RecordDecoderOptions,
} from './decode/record-decoder.js';
export { isKplAggregate } from './decode/kpl-aggregate.js';
// Terminal text width, shared by every table kinlog prints.
export { displayWidth, fitWidth, padWidth } from './report/display-width.js';
// Several workers sharing a name through shard leases.
export { LeaseLostError, WorkerStoppedError } from './errors.js';
export {
  leaseKeyOf,
  type Lease,
  type LeaseStore,
  type PartialRef,
  type CutShard,
  type IterationCut,
} from './lease/lease-store.js';
export { MemoryLeaseStore } from './lease/memory-lease-store.js';
export {
  DynamoLeaseStore,
  LeaseStoreDefaults,
  type LeaseStoreOptions,
} from './lease/dynamo-lease-store.js';
export {
  LeaseCoordinator,
  LeaseDefaults,
  type LeaseCoordinatorOptions,
  type LeaseTick,
} from './lease/lease-coordinator.js';
export {
  encodePartial,
  decodePartial,
  PartialLimits,
  PartialFormats,
  PARTIAL_FORMAT,
  type PartialFormat,
  type PartialColumns,
  type PartialFormatCounts,
  type ShardPartial,
  type PartialInput,
} from './lease/shard-partial.js';
export {
  mergePartials,
  PartialMerger,
  type MergedPartials,
  type MergeOptions,
} from './lease/merge-partials.js';
export {
  PartialSweepDefaults,
  readShardKeys,
  removeReplay,
  sweepCommittedPartials,
  type SweepOutcome,
} from './lease/partial-sweeper.js';
export {
  LeaseWorker,
  LeaseWorkerDefaults,
  type LeaseWorkerOptions,
  type IterationStore,
} from './lease/lease-worker.js';
