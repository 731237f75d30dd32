import type { LocalServicesFailure } from './errors.js';

/** Which Kinesis implementation to run, or none. */
export const KinesisImplementations = {
  KINESALITE: 'kinesalite',
  KINESIS_LOCAL: 'kinesis-local',
} as const;

/** One of {@link KinesisImplementations}. */
export type KinesisImplementation =
  (typeof KinesisImplementations)[keyof typeof KinesisImplementations];

/** What the parent asks the services process to run (passed as its only argument, JSON). */
export interface ServicesPlan {
  readonly kinesis: KinesisImplementation | false;
  readonly dynamodb: boolean;
  readonly host: string;
  /** 0 picks a free port. */
  readonly kinesisPort: number;
  /** 0 picks a free port. */
  readonly dynamodbPort: number;
  readonly verbose: boolean;
}

/** Messages from the services process to its parent. */
export type ServicesMessage =
  | {
      readonly type: 'ready';
      readonly kinesisPort?: number;
      readonly dynamodbPort?: number;
      /** Pids of further processes (kinesis-local), for leak checks. */
      readonly pids: readonly number[];
    }
  | { readonly type: 'failed'; readonly reason: LocalServicesFailure; readonly message: string };

/** Messages from the parent to the services process. */
export type ParentMessage = { readonly type: 'stop' };
