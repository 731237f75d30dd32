/** One PutRecords request entry as it travels on the wire (Data: base64 in JSON, bytes in CBOR). */
export interface PutRecordsRequestEntryWire {
  Data: string | Buffer;
  PartitionKey: string;
  ExplicitHashKey?: string;
}

/** One PutRecords result entry as it travels on the wire. */
export interface PutRecordsResultEntryWire {
  SequenceNumber?: string;
  ShardId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** A failure the proxy decided for one entry. */
export interface EntryFailure {
  readonly code: string;
  readonly message: string;
}

/** The body of a PutRecords answer. */
export interface PutRecordsOutputWire {
  FailedRecordCount: number;
  Records: PutRecordsResultEntryWire[];
  EncryptionType?: string;
}

/**
 * Rebuilds the answer to the client's original request: `failures[i]` marks entries the proxy
 * failed itself (never forwarded); every other entry takes the next answer from upstream, which
 * saw only the forwarded entries, in order.
 *
 * ```
 *  original:  e0   e1   e2   e3        failures: [ -, F, -, F ]
 *  upstream:  r0        r2             (answer to [e0, e2])
 *  merged:    r0   F    r2   F         FailedRecordCount = 2 + upstream failures
 * ```
 *
 * @example
 * ```ts
 * const out = mergePutRecordsResults([undefined, fail], [{ SequenceNumber: '1', ShardId: 's' }]);
 * out.FailedRecordCount === 1;
 * ```
 */
export function mergePutRecordsResults(
  failures: readonly (EntryFailure | undefined)[],
  upstream: readonly PutRecordsResultEntryWire[],
): PutRecordsOutputWire {
  let next = 0;
  let failed = 0;
  const records = failures.map((failure): PutRecordsResultEntryWire => {
    const record = failure
      ? { ErrorCode: failure.code, ErrorMessage: failure.message }
      : upstream[next++];
    if (record === undefined) {
      throw new Error(`upstream answered ${upstream.length} entries, fewer than forwarded`);
    }
    if (record.ErrorCode !== undefined) failed++;
    return record;
  });
  if (next !== upstream.length) {
    throw new Error(`upstream answered ${upstream.length} entries, ${next} were forwarded`);
  }
  return { FailedRecordCount: failed, Records: records };
}
