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
  CheckpointStoreError,
  CorruptItemError,
  ReportTooLargeError,
  ReportEmailError,
  ReportEmailUnconfirmedError,
} from './errors.js';
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
  type StoredReport,
} from './checkpoint/stored-items.js';
export {
  Analyzer,
  AnalyzerDefaults,
  type AnalyzerOptions,
  type IterationOutcome,
  type WholeStreamOutcome,
} from './window/analyzer.js';
export { analyzeCommand, AnalyzeCommandDefaults } from './cli/analyze-command.js';
export {
  buildReportView,
  storedFormatOf,
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
export { smtpSettingsFromUrl, SmtpDefaults, type SmtpSettings } from './report/smtp-settings.js';
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
