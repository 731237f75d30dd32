/*
 * A CBOR PutRecords answer read for what the sink uses, without making what it does not: one
 * walk over the answer notes, per entry, whether it was stored, its shard id (the string of the
 * first entry with the same bytes, not a new one each time) and where the entry starts; its
 * sequence number is checked (valid UTF-8) and stepped over. Bytes are compared and checked four
 * at a time. An entry's whole result is decoded from where it
 * starts only when asked (a failed entry's code and message, a callback's sequence number).
 *
 *   { "FailedRecordCount": n, "Records": [ { "SequenceNumber": s, "ShardId": id }, …
 *                                          { "ErrorCode": c, "ErrorMessage": m }, … ] }
 *              ▲ each entry: stored  = ErrorCode not a text and SequenceNumber a text
 *                            shardId = ShardId if a text, else ''     offset = where it starts
 *
 * It means exactly what the careful way means (decodeCbor, then entryResultOf per entry): any
 * key order, extra members (read, then dropped), repeated keys (the last counts), indefinite
 * lengths, every length width, tags; whatever is not a definite-length text key or value where
 * one is expected is read by the careful decoder itself. Input the careful decoder refuses is
 * refused here too (the same CborDecodeError).
 */
import { CborReader } from './cbor-reader.js';
import { decodeCbor, endOfInput } from './cbor-decode.js';
import {
  entryResultOf,
  resultsOfAnswer,
  type AckedEntry,
  type EntryResult,
  type PutRecordsResults,
} from './put-records-results.js';

const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
const INFO_INDEFINITE = 31;
/** Initial byte of a text string whose length is in it (0x60 + length, up to 23). */
const TEXT_HEAD = 0x60;
const HEAD_INLINE_MAX = 23;
/** Depths as the careful decoder counts them: answer map 0, Records 1, entry 2, members 3. */
const ANSWER_MEMBER_DEPTH = 1;
const ENTRY_DEPTH = 2;
const ENTRY_MEMBER_DEPTH = 3;

/** Member names read; the index is what {@link readKey} answers. */
const NAMES = ['SequenceNumber', 'ShardId', 'ErrorCode', 'Records'];
/** Each name as the 32-bit words {@link wordsOf} reads (every name is over 4 bytes). */
const NAME_WORDS = NAMES.map((name) => {
  const bytes = Buffer.from(name, 'latin1');
  return wordsOf(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length);
});
/** Shard ids remembered per answer, with where their bytes are (an answer has a few). */
const MAX_SHARD_IDS = 16;
const SEQUENCE_NUMBER = 0;
const SHARD_ID = 1;
const ERROR_CODE = 2;
const RECORDS = 3;
const OTHER = -1;

/**
 * The results of the CBOR PutRecords answer `body`, read lazily (see the file's comment).
 *
 * @throws {CborDecodeError} for input the careful decoder refuses.
 * @example
 * ```ts
 * const results = cborAnswerResults(body);
 * results.ok(0); // true
 * results.acked(0).sequenceNumber; // decoded now
 * ```
 */
export function cborAnswerResults(body: Buffer): PutRecordsResults {
  const reader = new CborReader(body);
  // Anything but a map is no answer to read lazily: decoded whole, as the careful way does.
  if (reader.peek() >> 5 !== MAJOR_MAP) return resultsOfAnswer(decodeCbor(body));
  const results = readAnswer(reader);
  endOfInput(reader);
  return results;
}

/** The answer's map: its last `Records` member read as results, the other members read. */
function readAnswer(reader: CborReader): PutRecordsResults {
  let results: PutRecordsResults | undefined;
  const count = mapHead(reader);
  for (let k = 0; reader.hasMember(count, k); k++) {
    if (readKey(reader, ANSWER_MEMBER_DEPTH) === RECORDS) results = readRecords(reader);
    else reader.value(ANSWER_MEMBER_DEPTH);
  }
  return results ?? resultsOfAnswer(undefined);
}

/**
 * The value of a `Records` member: an array read entry by entry; anything else read whole
 * (a tagged array stays an array; a value that is no array means no results).
 */
function readRecords(reader: CborReader): PutRecordsResults | undefined {
  const initial = reader.peek();
  if (initial >> 5 !== MAJOR_ARRAY) {
    const value = reader.value(ANSWER_MEMBER_DEPTH);
    return Array.isArray(value) ? resultsOfAnswer({ Records: value }) : undefined;
  }
  const start = reader.at++;
  const info = initial & 0x1f;
  const count = info === INFO_INDEFINITE ? -1 : reader.length(reader.argument(info, start), start);
  // A definite count sizes the lists once (no regrowth per answer of 500 entries).
  const shards = count < 0 ? [] : new Array<string | undefined>(count);
  const offsets = count < 0 ? [] : new Array<number>(count);
  const seen: SeenText[] = [];
  for (let i = 0; reader.hasMember(count, i); i++) {
    offsets[i] = reader.at;
    shards[i] = readEntry(reader, seen);
  }
  return new CborAnswerResults(reader.bytes, shards, offsets);
}

/** A short ASCII text of the answer, and where its bytes are. */
interface SeenText {
  readonly text: string;
  readonly at: number;
}

/**
 * One entry: its shard id when it was stored (`''` if it names none), else `undefined`; `seen`
 * holds the shard ids read so far.
 */
function readEntry(reader: CborReader, seen: SeenText[]): string | undefined {
  if (reader.peek() >> 5 !== MAJOR_MAP) {
    const result = entryResultOf(reader.value(ENTRY_DEPTH));
    return result.ok ? result.shardId : undefined;
  }
  let code = false;
  let sequenceNumber = false;
  let shardId: string | undefined;
  const count = mapHead(reader);
  for (let k = 0; reader.hasMember(count, k); k++) {
    switch (readKey(reader, ENTRY_MEMBER_DEPTH)) {
      case SEQUENCE_NUMBER: {
        const start = reader.at;
        const length = reader.textHead();
        if (length >= 0) {
          reader.skipText(length, start);
          sequenceNumber = true;
        } else sequenceNumber = typeof reader.value(ENTRY_MEMBER_DEPTH) === 'string';
        break;
      }
      case SHARD_ID: {
        const start = reader.at;
        const length = reader.textHead();
        if (length >= 0) shardId = shardText(reader, length, start, seen);
        else {
          const value = reader.value(ENTRY_MEMBER_DEPTH);
          shardId = typeof value === 'string' ? value : undefined;
        }
        break;
      }
      case ERROR_CODE:
        code = typeof reader.value(ENTRY_MEMBER_DEPTH) === 'string';
        break;
      default:
        reader.value(ENTRY_MEMBER_DEPTH);
    }
  }
  return !code && sequenceNumber ? (shardId ?? '') : undefined;
}

/** Reads a map's head: its number of members, or -1 for an indefinite map (ends at a break). */
function mapHead(reader: CborReader): number {
  const start = reader.at;
  const info = reader.byte() & 0x1f;
  return info === INFO_INDEFINITE ? -1 : reader.length(reader.argument(info, start), start);
}

/**
 * Reads a member's key as the careful decoder does (a key that is not a text counts as its
 * String()); answers which of {@link NAMES} it is, or {@link OTHER}. A definite-length text key
 * is compared four bytes at a time, no string made.
 */
function readKey(reader: CborReader, depth: number): number {
  const start = reader.at;
  const initial = reader.peek();
  let length: number;
  if (initial >= TEXT_HEAD && initial <= TEXT_HEAD + HEAD_INLINE_MAX) {
    // As the careful decoder reads a short key: its bytes taken without a length check first.
    reader.at++;
    length = initial - TEXT_HEAD;
  } else length = reader.textHead();
  if (length < 0) {
    const key = reader.value(depth);
    return NAMES.indexOf(typeof key === 'string' ? key : String(key));
  }
  const from = reader.at;
  if (from + length <= reader.bytes.length) {
    for (let n = 0; n < NAMES.length; n++) {
      if (NAMES[n]!.length === length && sameWords(reader.view, from, length, NAME_WORDS[n]!)) {
        reader.at += length;
        return n;
      }
    }
  }
  reader.skipText(length, start);
  return OTHER;
}

/**
 * A shard id's text (a definite-length text of `length` bytes at `reader.at`, its head at
 * `start`): one with the bytes of a shard id seen before in the answer is that string, compared
 * four bytes at a time; another is read (and checked) as the careful decoder reads it.
 */
function shardText(reader: CborReader, length: number, start: number, seen: SeenText[]): string {
  const from = reader.at;
  const view = reader.view;
  for (let k = 0; k < seen.length; k++) {
    const known = seen[k]!;
    if (known.text.length === length && sameBytes(view, known.at, from, length)) {
      reader.at += length;
      return known.text;
    }
  }
  const text = reader.text(length, start);
  // Kept only when one character a byte (ASCII): then equal bytes mean an equal text.
  if (text.length === length && seen.length < MAX_SHARD_IDS) seen.push({ text, at: from });
  return text;
}

/** The 32-bit words of `length` bytes at `at`: at 0, 4, 8, …, and the last four bytes. */
function wordsOf(view: DataView, at: number, length: number): number[] {
  const words: number[] = [];
  for (let i = 0; i + 4 <= length; i += 4) words.push(view.getUint32(at + i));
  if (length % 4 !== 0) words.push(view.getUint32(at + length - 4));
  return words;
}

/** Whether the `length` (4 or more) bytes at `at` have the words `words` ({@link wordsOf}). */
function sameWords(view: DataView, at: number, length: number, words: readonly number[]): boolean {
  let w = 0;
  for (let i = 0; i + 4 <= length; i += 4) if (view.getUint32(at + i) !== words[w++]) return false;
  return length % 4 === 0 || view.getUint32(at + length - 4) === words[w];
}

/** Whether the `length` bytes at `a` and at `b` are the same. */
function sameBytes(view: DataView, a: number, b: number, length: number): boolean {
  if (length < 4) {
    for (let i = 0; i < length; i++)
      if (view.getUint8(a + i) !== view.getUint8(b + i)) return false;
    return true;
  }
  for (let i = 0; i + 4 <= length; i += 4) {
    if (view.getUint32(a + i) !== view.getUint32(b + i)) return false;
  }
  return view.getUint32(a + length - 4) === view.getUint32(b + length - 4);
}

/** Results of a CBOR answer, read by {@link cborAnswerResults}. */
class CborAnswerResults implements PutRecordsResults {
  constructor(
    private readonly body: Buffer,
    /** Per entry: its shard id when stored, else `undefined`. */
    private readonly shards: readonly (string | undefined)[],
    /** Per entry: where it starts in `body`. */
    private readonly offsets: readonly number[],
  ) {}

  get length(): number {
    return this.shards.length;
  }

  ok(i: number): boolean {
    return this.shards[i] !== undefined;
  }

  shardId(i: number): string {
    return this.shards[i] ?? '';
  }

  acked(i: number): AckedEntry {
    const shardId = this.shards[i];
    if (shardId === undefined) throw new RangeError(`entry ${i} was not stored`);
    return new LazyAck(shardId, this, i);
  }

  at(i: number): EntryResult {
    const reader = new CborReader(this.body);
    reader.at = this.offsets[i]!;
    return entryResultOf(reader.value(ENTRY_DEPTH));
  }
}

/** A stored entry's result whose sequence number is decoded when first read. */
class LazyAck {
  readonly ok = true;
  #results: PutRecordsResults | undefined;
  #index: number;
  #sequenceNumber = '';

  constructor(
    readonly shardId: string,
    results: PutRecordsResults,
    index: number,
  ) {
    this.#results = results;
    this.#index = index;
  }

  get sequenceNumber(): string {
    const results = this.#results;
    if (results !== undefined) {
      const result = results.at(this.#index);
      this.#sequenceNumber = result.ok ? result.sequenceNumber : '';
      // Read once; then a result a callback holds on to no longer keeps the answer alive.
      this.#results = undefined;
    }
    return this.#sequenceNumber;
  }

  toJSON(): AckedEntry {
    return { ok: true, shardId: this.shardId, sequenceNumber: this.sequenceNumber };
  }
}

// Listed like the plain object's member it stands for (deep comparisons, `for … in`).
Object.defineProperty(LazyAck.prototype, 'sequenceNumber', { enumerable: true });
