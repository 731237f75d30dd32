export { KinlogError, ConfigError, type ConfigProblem } from './errors.js';
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
