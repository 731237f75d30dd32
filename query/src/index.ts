export {
  QueryError,
  SqlError,
  WindowNotStoredError,
  StreamNotInWindowError,
  LoadLimitError,
  DynamoScanError,
  OutputError,
} from './errors.js';
export {
  ColumnTypes,
  EventColumns,
  MetaColumns,
  typeOfValue,
  widenType,
  type ColumnType,
  type MetaColumn,
} from './columns/column-types.js';
export {
  RowEncoder,
  timestampText,
  type ColumnSpec,
  type EncodeStats,
} from './columns/row-encoder.js';
export { SpoolDirectory, SpoolFile, SpoolLimits } from './load/ndjson-spool.js';
export {
  loadStreamTable,
  loadRows,
  OVERSIZED_ROW,
  type LoadedTable,
  type LoadStreamOptions,
} from './load/load-stream-table.js';
export {
  SpoolFormats,
  TableLoader,
  TableLoaderLimits,
  type SpoolFormat,
} from './load/table-loader.js';
export { StreamRowWriter } from './load/stream-row-writer.js';
export { StreamTableLoad } from './load/stream-table-load.js';
export {
  ColumnSchemaLimits,
  fixedColumns,
  parseColumnSchema,
  readColumnSchema,
} from './columns/column-schema.js';
export {
  QuerySession,
  QuerySessionLimits,
  LOCKDOWN_SETTINGS,
  memoryLimitBytes,
  memoryLimitProblem,
  quoteIdent,
  quoteLiteral,
  type QueryResult,
  type ColumnSpecText,
  type QuerySessionOptions,
} from './session/query-session.js';
export { sqlErrorOf } from './session/sql-error-of.js';
export {
  openWindowSession,
  tableProblems,
  type StreamTable,
  type DynamoTable,
  type WindowChoice,
  type WindowSession,
  type WindowSessionOptions,
} from './engine/window-session.js';
export { runQuery, type RunQueryOptions, type QueryOutcome } from './engine/run-query.js';
export {
  iterationWindow,
  wholeStreamWindow,
  type ShardSlice,
  type StreamWindow,
} from './window/stream-window.js';
export {
  readWindowRows,
  recordFormat,
  type RowOrigin,
  type RowSink,
  type ReadWindowOptions,
  type ReadWindowOutcome,
} from './window/read-window-rows.js';
export {
  scanDynamoTable,
  attributeValue,
  itemValues,
  DynamoScanLimits,
  translateScanError,
  type ScanConnectionOptions,
} from './dynamo/scan-dynamo-table.js';
export {
  renderResult,
  rowObject,
  csvField,
  ResultFormats,
  ResultTableLimits,
  type ResultFormat,
} from './output/render-result.js';
export {
  writeTableFile,
  fileFormatOf,
  extensionOf,
  FileFormats,
  type FileFormat,
} from './output/write-table-file.js';
export {
  exportWindow,
  EXPORT_PART_NAME,
  type ExportWindowOptions,
  type ExportedFile,
} from './export/export-window.js';
export { queryCommand, QueryCommandLimits, loadedLine } from './cli/query-command.js';
export { exportCommand } from './cli/export-command.js';
export { DEFAULT_TABLE, parseSince } from './cli/shared-options.js';
export {
  savedQueryHook,
  savedQueryProblems,
  SAVED_QUERY_TABLE,
  type SavedQuery,
  type SavedQueryHookOptions,
} from './saved/saved-query-hook.js';
