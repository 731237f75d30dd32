import type { SinkStats } from '../sink/sink-stats.js';
import type { ShipCounters } from './ship-counters.js';

/** One followed file in {@link ShipStats}. */
export interface ShipFileStats {
  flow: string;
  path: string;
  size: number;
  /** Bytes not yet acknowledged by Kinesis. */
  behindBytes: number;
}

/** A snapshot of the daemon: files, counters summed over flows, and the sinks' counters. */
export interface ShipStats {
  files: ShipFileStats[];
  counters: ShipCounters;
  /** Summed over the flows' sinks (zeros in dry-run mode). */
  sink: Pick<
    SinkStats,
    | 'recordsSent'
    | 'putRecordsCalls'
    | 'entriesRetried'
    | 'requestRetries'
    | 'droppedTotal'
    | 'bufferedRecords'
  >;
  /** Records acknowledged per second since the previous snapshot. */
  recordsPerSecond: number;
  /** Each sink's per-shard counters, with its stream (flows to one stream are summed later). */
  streams: ShipStreamStats[];
}

/** One sink's per-shard counters in {@link ShipStats}. */
export type ShipStreamStats = { stream: string } & Pick<
  SinkStats,
  'bytesSentByShard' | 'entriesFailedByShard'
>;

const MAX_FILES_LISTED = 5;

/**
 * The periodic stats line: files, bytes behind (the most behind files listed), records/s,
 * retries and drops.
 *
 * @example
 * ```ts
 * formatStatsLine(daemon.stats());
 * // 'ship: files=2 behind=1.2 MiB (/var/log/a.log 1.2 MiB) records/s=840 acked=10230 retries=3 drops=0'
 * ```
 */
export function formatStatsLine(s: ShipStats): string {
  const behind = s.files.reduce((n, f) => n + f.behindBytes, 0);
  const top = s.files
    .filter((f) => f.behindBytes > 0)
    .sort((a, b) => b.behindBytes - a.behindBytes)
    .slice(0, MAX_FILES_LISTED)
    .map((f) => `${f.path} ${formatBytes(f.behindBytes)}`);
  const c = s.counters;
  const drops = Object.values(c.recordsDropped).reduce((n, v) => n + v, 0);
  const parts = [
    `ship: files=${s.files.length}`,
    `behind=${formatBytes(behind)}${top.length > 0 ? ` (${top.join(', ')})` : ''}`,
    `records/s=${Math.round(s.recordsPerSecond)}`,
    `acked=${c.recordsAcked}`,
    `retries=${s.sink.entriesRetried + s.sink.requestRetries}`,
    `drops=${drops}`,
  ];
  if (c.truncations > 0) parts.push(`truncations=${c.truncations}`);
  if (c.linesSplit + c.linesTruncated > 0)
    parts.push(`longLines=${c.linesSplit + c.linesTruncated}`);
  if (c.invalidUtf8Lines > 0) parts.push(`invalidUtf8=${c.invalidUtf8Lines}`);
  if (c.unreadableFiles > 0) parts.push(`unreadable=${c.unreadableFiles}`);
  if (c.openFileWaits > 0) parts.push(`openFileWaits=${c.openFileWaits}`);
  return parts.join(' ');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
