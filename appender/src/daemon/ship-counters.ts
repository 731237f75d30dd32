/** Counters of one flow; the daemon sums them for the stats line and the metrics. */
export interface ShipCounters {
  linesRead: number;
  bytesRead: number;
  recordsShipped: number;
  recordsAcked: number;
  /** Records Kinesis never took, by sink drop reason (counted, never silent). */
  recordsDropped: Record<string, number>;
  filesOpened: number;
  filesReleased: number;
  /** Truncations and refills detected (copytruncate, truncate+refill, re-used inodes). */
  truncations: number;
  /** Copies that continued the content of a truncated file. */
  copiesFollowed: number;
  binaryFilesSkipped: number;
  unreadableFiles: number;
  /** Pieces of lines longer than maxLineBytes (split mode). */
  linesSplit: number;
  /** Lines cut to maxLineBytes (truncate mode). */
  linesTruncated: number;
  invalidUtf8Lines: number;
  parseErrors: number;
  /** Lines a parser or the encoder threw on (shipped as parse errors, never retried). */
  parserFailures: number;
  /** Open handles closed at a file's end to stay within the open-file budget. */
  filesParked: number;
  /** Times a file waited a scan for a handle (the open-file budget was in use). */
  openFileWaits: number;
}

/** A zeroed {@link ShipCounters}. */
export function emptyShipCounters(): ShipCounters {
  return {
    linesRead: 0,
    bytesRead: 0,
    recordsShipped: 0,
    recordsAcked: 0,
    recordsDropped: {},
    filesOpened: 0,
    filesReleased: 0,
    truncations: 0,
    copiesFollowed: 0,
    binaryFilesSkipped: 0,
    unreadableFiles: 0,
    linesSplit: 0,
    linesTruncated: 0,
    invalidUtf8Lines: 0,
    parseErrors: 0,
    parserFailures: 0,
    filesParked: 0,
    openFileWaits: 0,
  };
}
