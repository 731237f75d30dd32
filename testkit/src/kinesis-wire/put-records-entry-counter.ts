/*
 * Counts the entries of a PutRecords body as its chunks arrive, keeping none of them, for the
 * null endpoint's counting mode (the body itself is never needed):
 *
 *   JSON: `"PartitionKey":` per entry (the SDK's compact JSON has it nowhere else: Data is
 *         base64, a quote inside a key is escaped); a marker cut by a chunk boundary is found
 *         in the 14 bytes kept from before the boundary + the first 14 after it
 *   CBOR: the `Records` array head, read off the first chunk(s); the chunks are held only until
 *         the head is complete (or, for an indefinite-length array, to the end of the body)
 */
import { CborTruncatedError, cborRecordCount } from './aws-cbor.js';
import { WireProtocols, type WireProtocol } from './aws-json.js';

/**
 * A count in progress: {@link EntryCounter.push} every chunk in order, then read
 * {@link EntryCounter.count}.
 *
 * @example
 * ```ts
 * const counter = createEntryCounter(WireProtocols.CBOR);
 * req.on('data', (chunk: Buffer) => counter.push(chunk));
 * req.on('end', () => answer(counter.count()));
 * ```
 */
export interface EntryCounter {
  push(chunk: Buffer): void;
  /** Entries in the body pushed so far, taken as the whole body. */
  count(): number;
}

/**
 * A counter for a body in `protocol`: the same count as the whole body would give (a CBOR body
 * whose head is not well-formed counts 0), without keeping the body.
 *
 * @example
 * ```ts
 * const counter = createEntryCounter(WireProtocols.JSON);
 * counter.push(Buffer.from('{"Records":[{"Data":"","Partitio'));
 * counter.push(Buffer.from('nKey":"k"}]}'));
 * counter.count(); // 1
 * ```
 */
export function createEntryCounter(protocol: WireProtocol): EntryCounter {
  return protocol === WireProtocols.CBOR ? new CborEntryCounter() : new JsonEntryCounter();
}

const MARKER = Buffer.from('"PartitionKey":');
/** Bytes of a marker that can lie before a chunk boundary. */
const CARRY = MARKER.length - 1;
/** Counters run one at a time (each push is synchronous): they share the boundary window. */
const joint = Buffer.alloc(2 * CARRY);

class JsonEntryCounter implements EntryCounter {
  private entries = 0;
  /** The last bytes of the body so far (up to CARRY): where a cut marker begins. */
  private readonly tail = Buffer.alloc(CARRY);
  private tailLength = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.tailLength > 0) {
      // Neither side alone holds a whole marker, so every marker here spans the boundary.
      const head = Math.min(chunk.length, CARRY);
      this.tail.copy(joint, 0, 0, this.tailLength);
      chunk.copy(joint, this.tailLength, 0, head);
      this.entries += occurrences(joint.subarray(0, this.tailLength + head));
    }
    this.entries += occurrences(chunk);
    if (chunk.length >= CARRY) {
      chunk.copy(this.tail, 0, chunk.length - CARRY);
      this.tailLength = CARRY;
    } else {
      const kept = Math.min(this.tailLength, CARRY - chunk.length);
      this.tail.copy(this.tail, 0, this.tailLength - kept, this.tailLength);
      chunk.copy(this.tail, kept);
      this.tailLength = kept + chunk.length;
    }
  }

  count(): number {
    return this.entries;
  }
}

function occurrences(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(MARKER); at !== -1; at = bytes.indexOf(MARKER, at + MARKER.length)) {
    n++;
  }
  return n;
}

/**
 * Past this many held bytes without a count (an indefinite-length `Records`), the head is
 * read once more only at the end: re-reading a growing prefix on every chunk would be quadratic.
 */
const CBOR_HEAD_RETRY_MAX_BYTES = 64 * 1024;

class CborEntryCounter implements EntryCounter {
  private known: number | undefined;
  private held: Buffer[] = [];
  private heldBytes = 0;

  push(chunk: Buffer): void {
    if (this.known !== undefined || chunk.length === 0) return;
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes - chunk.length <= CBOR_HEAD_RETRY_MAX_BYTES) this.tryCount(false);
  }

  count(): number {
    if (this.known === undefined) this.tryCount(true);
    return this.known ?? 0;
  }

  /** Reads the head from the bytes held; `final`: they are the whole body. */
  private tryCount(final: boolean): void {
    const bytes = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held);
    try {
      // A reader that finished within a prefix reads the same from the whole body.
      this.known = cborRecordCount(bytes) ?? 0;
    } catch (err) {
      if (!final && err instanceof CborTruncatedError) {
        this.held = [bytes];
        return;
      }
      this.known = 0;
    }
    this.held = [];
  }
}
