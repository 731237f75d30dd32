export {
  startFaultProxy,
  FaultProxyDefaults,
  type FaultProxy,
  type FaultProxyOptions,
} from './fault-proxy.js';
export {
  NO_FAULTS,
  OutageModes,
  ThrottleErrorTypes,
  resolveFaultPlan,
  type FaultPlan,
  type OutageMode,
  type ResolvedFaultPlan,
  type ThrottleErrorType,
} from './fault-proxy/fault-plan.js';
export {
  RequestFaultKinds,
  type FaultProxyStats,
  type RequestFaultKind,
} from './fault-proxy/fault-proxy-stats.js';
export { seededRandom, type RandomSource } from '@kinlog/core';
export { AwsErrorTypes, KinesisWire, WireProtocols } from './kinesis-wire/aws-json.js';
export { decodeCborValue, encodeCborValue, CborWireError } from './kinesis-wire/aws-cbor.js';
export {
  evenHashKeyRanges,
  hashKeyOf,
  shardIdFor,
  MAX_HASH_KEY,
  type HashKeyRange,
} from './kinesis-wire/hash-key-ranges.js';
export {
  startNullKinesis,
  NullKinesisDefaults,
  NullKinesisRouting,
  type NullKinesis,
  type NullKinesisOptions,
  type NullKinesisReceipt,
  type NullKinesisStats,
} from './null-kinesis-server.js';
export {
  createSelfSignedCertificate,
  SelfSignedDefaults,
  type SelfSignedCertificate,
} from './kinesis-wire/self-signed-certificate.js';
export { userPayloads, UserPayloadError } from './kinesis-wire/user-payloads.js';
export {
  readAllRecords,
  localKinesisClient,
  StreamReaderDefaults,
  type StreamRecord,
} from './stream-reader.js';
export { createTestStream } from './create-test-stream.js';
export { waitForStreamActive } from './wait-for-stream-active.js';
// Not the mocha hooks themselves: any module mocha loads with `require` that exports them runs
// them, so they stay reachable only through '@kinlog/testkit/local-services-fixture'.
export { testKinesisImplementation } from './local-services-fixture.js';
export { isProcessAlive, survivorsAfter, descendantPids } from './process-tree.js';
export {
  startNetworkFaultServer,
  NetworkFaults,
  NetworkFaultDefaults,
  type NetworkFault,
  type NetworkFaultServer,
  type NetworkFaultServerOptions,
} from './network-fault-server.js';
