export { KinlogError, ConfigError, StreamNotFoundError, type ConfigProblem } from './errors.js';
export {
  KinesisLimits,
  PutRecordsEntryErrors,
  type PutRecordsEntryError,
} from './limits/kinesis-limits.js';
export { DynamoDbLimits } from './limits/dynamodb-limits.js';
export {
  awsClientConfig,
  AwsClientDefaults,
  type AwsClientConfig,
  type AwsConnectionOptions,
} from './aws/aws-client-config.js';
export type { CommandContext } from './cli/command-context.js';
export {
  ensureStream,
  EnsureStreamDefaults,
  type EnsureStreamOptions,
} from './aws/create-stream.js';
export { takeJsonAnswer } from './aws/take-json-answer.js';
export {
  classifyAwsError,
  AwsErrorKinds,
  type AwsErrorKind,
  type AwsErrorClass,
} from './aws/classify-aws-error.js';
export {
  abortReason,
  backoffDelayMs,
  sleep,
  retryWithBackoff,
  retryBudgetMs,
  RETRY_BUDGET_REQUEST_TIMEOUTS,
  type BackoffLimits,
  type FailedAttempt,
  type RetryOptions,
} from './aws/backoff.js';
export { withRequestDeadline, RequestDeadlineError } from './aws/with-request-deadline.js';
export { UnrefHttpHandler, type UnrefHttpHandlerOptions } from './aws/unref-http-handler.js';
export { NodeSha256 } from './aws/node-sha256.js';
export {
  CredentialCache,
  CredentialCacheDefaults,
  type AwsCredentials,
  type CredentialCacheOptions,
} from './aws/credential-cache.js';
export {
  AwsHttpError,
  awsErrorOf,
  awsJsonError,
  type AnswerHeaders,
} from './aws/aws-json-error.js';
export {
  LogLevels,
  isLogLevel,
  unparsedEvent,
  type LogEvent,
  type LogLevel,
  type LineParser,
} from './parsers/log-event.js';
export { normalizeLevel, levelFromNumber } from './parsers/normalize-level.js';
export {
  resolveParserOptions,
  ParserOptionLimits,
  type ParserOptions,
  type ResolvedParserOptions,
} from './parsers/parser-options.js';
export {
  createJsonParser,
  normalizeJsonEvent,
  parseJsonObject,
  JsonFieldAliases,
} from './parsers/json-parser.js';
export { isUnchangedJsonEvent } from './parsers/unchanged-json-event.js';
export {
  createAccessLogParser,
  accessEvent,
  accessLevel,
  AccessEventFields,
} from './parsers/access-log-parser.js';
export { readAccessLine, type AccessLine } from './parsers/access-line-reader.js';
export { accessEventJson } from './parsers/access-event-json.js';
export { writeAccessJson, accessJsonRoomBytes } from './parsers/access-json-writer.js';
export { AccessJsonWasm, AccessJsonWasmLimits } from './parsers/access-json-wasm.js';
export { createLog4jParser } from './parsers/log4j-parser.js';
export { createApacheErrorParser } from './parsers/apache-error-parser.js';
export { createRawParser } from './parsers/raw-parser.js';
export { createSyslogParser, type SyslogParserOptions } from './parsers/syslog-parser.js';
export { levelInText } from './parsers/text-level.js';
export {
  FormatDetector,
  FORMAT_DETECTOR_VERSION,
  LogFormats,
  LogFormatNames,
  createAutoParser,
  autoAccessLine,
  detectFormat,
  type LogFormat,
} from './parsers/format-detector.js';
export {
  Parsers,
  ParserNames,
  isParserName,
  getParser,
  parseLine,
  accessLineReaderOf,
  accessJsonWriterOf,
  accessJsonWasmOf,
  ACCESS_JSON_WRITER_ENV,
  type AccessJsonWriter,
  type ParserName,
} from './parsers/parsers.js';
export {
  MultilineJoiner,
  MultilineDefaults,
  defaultStartPattern,
  STACK_TRACE_CONTINUATION,
  type MultilineJoinerOptions,
  type MultilineJoinerStats,
} from './parsers/multiline-joiner.js';
export { ShardMap, hashKeyOf, MAX_HASH_KEY, type ShardHashRange } from './kinesis/shard-map.js';
export { KplAggregateBuilder, KplAggregateFormat } from './kpl/kpl-aggregate-builder.js';
export {
  ProtobufWriter,
  ProtobufWireTypes,
  varintSize,
  lengthDelimitedSize,
} from './kpl/protobuf-writer.js';
export { seededRandom, pick, type RandomSource } from './random/seeded-random.js';
export { requestTimeoutHelp, RequestTimeoutLimits } from './cli/request-timeout-option.js';
