import type { AwsConnectionOptions } from '@kinlog/core';
import type { SimulatedRequest } from './demo-traffic.js';

/** Where the demo's services write and read: one stream, one AWS connection. */
export interface DemoTarget {
  readonly streamName: string;
  readonly kinesis: AwsConnectionOptions;
  readonly dynamodb: AwsConnectionOptions;
}

/** A simulated service that logs requests into kinlog. */
export interface DemoApp {
  /** Requests logged so far. */
  readonly logged: number;
  log(request: SimulatedRequest): void;
  /** Resolves once everything logged so far is delivered (or counted as dropped). */
  flush(): Promise<void>;
  /** Delivers what is left and releases everything; idempotent. */
  close(): Promise<void>;
}
