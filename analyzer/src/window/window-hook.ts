/*
 *   Analyzer reads a window ─▶ hook.begin(info) ─▶ sink.event(…) for every decoded event, once,
 *   in shard then sequence order ─▶ sink.afterPage() between pages
 *   ─▶ the cut is stored ─▶ sink.end(report) (awaited before the iteration commits)
 *   always, last (after end, a failure, or a cut another run stored) ─▶ sink.close()
 */
import type { LogEvent } from '@kinlog/core';
import type { StoredReport } from '../checkpoint/stored-report.js';
import type { DecodedFormat } from '../decode/record-decoder.js';

/** Why a window is read. */
export const WindowReadKinds = {
  /** A new iteration's cut is being made (or a crashed run's stored cut is read again). */
  iteration: 'iteration',
  /** `rerunIteration`: a committed iteration's stored cut, read again; nothing is written. */
  rerun: 'rerun',
} as const;
export type WindowReadKind = (typeof WindowReadKinds)[keyof typeof WindowReadKinds];

/** Which window a sink receives. */
export interface WindowReadInfo {
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
  readonly kind: WindowReadKind;
}

/** Where one event of the window came from. */
export interface WindowRecordOrigin {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Epoch ms the stream stamped the record with. */
  readonly arrivalMs: number;
  readonly partitionKey: string | undefined;
  /** The record's payload as stored (gzip, KPL or plain): lets a sink tell how it was packed. */
  readonly data: Uint8Array;
}

/** Receives the events of one window read. */
export interface WindowSink {
  /**
   * One decoded event: fully parsed, never screened (the top-N's shortcut does not apply);
   * `format` is what read it, as the report's per-format counts count it.
   */
  event(event: LogEvent, line: string, origin: WindowRecordOrigin, format: DecodedFormat): void;
  /** Awaited after each page: lets the sink write out what it holds (bounded memory). */
  afterPage?(): Promise<void>;
  /**
   * The window was read to its end and `report` holds its cut. For a new iteration the report
   * is stored and this runs before the commit: what the sink stores then belongs to the cut.
   */
  end(report: StoredReport): Promise<void>;
  /** Releases what the sink holds; always called last (after `end` too, or after a failure). */
  close(): Promise<void>;
}

/**
 * A hook over the windows an {@link Analyzer} reads: each read gets its own sink. Saved queries
 * are built on it (the CLI wires `@kinlog/query`), so this package never loads a SQL engine.
 *
 * @example
 * ```ts
 * const hook: WindowHook = {
 *   begin: () => {
 *     let events = 0;
 *     return { event: () => void events++, end: async (r) => console.log(r.iteration, events), close: async () => {} };
 *   },
 * };
 * new Analyzer({ name: 'web', stream: 'logs', windowHook: hook });
 * ```
 */
export interface WindowHook {
  begin(info: WindowReadInfo): WindowSink | Promise<WindowSink>;
}
