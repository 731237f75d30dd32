/*
 *   event + line + origin ─▶ fields JSON (RowEncoder: unfit values NULL, columns typed)
 *     ─▶ fields ⇥ meta ⇥ raw (stream-row-format.ts): raw left empty when the line is the
 *        fields text itself; a row past MAX_OBJECT_BYTES keeps its meta columns only (counted)
 */
import type { LogEvent } from '@kinlog/core';
import type { RowEncoder } from '../columns/row-encoder.js';
import { QuerySessionLimits } from '../session/query-session.js';
import type { RowOrigin } from '../window/read-window-rows.js';
import {
  JSON_META_FLAG,
  NO_RAW,
  PLAIN_META,
  StreamRowFlags,
  type MetaCodes,
} from './stream-row-format.js';
import { MAX_INTEGER_CHARS, type SpoolFile } from './ndjson-spool.js';
import type { TableLoader } from './table-loader.js';

/** Counted in `nulled` for rows past MAX_OBJECT_BYTES, loaded with their meta columns only. */
export const OVERSIZED_ROW = 'oversized rows (fields and _raw)';

/**
 * Turns each decoded event of one stream into a spooled row of one table
 * (see stream-row-format.ts).
 *
 * @example
 * ```ts
 * const rows = new StreamRowWriter(encoder, loader, { _shard: new ValueCodes(), _format: new ValueCodes() });
 * await readWindowRows(source, window, { row: (e, line, origin) => rows.row(e, line, origin) });
 * ```
 */
export class StreamRowWriter {
  private shard: string | undefined;
  private shardCode = 0;
  /** `⇥code⇥` of the shard. */
  private shardText = '';
  private format: string | undefined;
  private formatCode = 0;
  private partitionKey: string | undefined;
  private plainPartitionKey = true;
  private jsonMeta = false;
  // Records of a page mostly share their arrival millisecond.
  private arrivalMs = Number.NaN;
  /** The arrival as spooled (see spooledArrivalMs): whole milliseconds, NaN for NULL. */
  private arrival = Number.NaN;
  /** The row addPlainRow is adding, and the bytes after its fields at most. */
  private plainFields = '';
  private plainOrigin: RowOrigin | undefined;
  private plainTailBytes = 0;

  constructor(
    private readonly encoder: RowEncoder,
    private readonly loader: TableLoader,
    /** The codes _shard and _format values are written as (the table's view turns them back). */
    private readonly codes: MetaCodes,
  ) {}

  /** Writes the row of one decoded event. */
  row(event: LogEvent, line: string, origin: RowOrigin): void {
    if (origin.arrivalMs !== this.arrivalMs) {
      this.arrivalMs = origin.arrivalMs;
      this.arrival = spooledArrivalMs(this.arrivalMs);
    }
    // A JSON record normalization left as parsed is written as its own line where that reads
    // the same: no second serialization, and the line is then also the raw text.
    const fields = this.encoder.fieldsOfLine(event, line);
    // The common row (its line is its fields, meta values plain ASCII) is copied as it is.
    if (fields === line && this.addPlainRow(fields, origin)) return;
    const meta = this.metaText(origin);
    const rawApart = fields !== line;
    const raw = rawApart ? JSON.stringify(line) : '';
    const flag = this.jsonMeta ? TAB + JSON_META_FLAG : TAB;
    // Its _shard and _format are on its line, whatever its chunk's shared ones are.
    const flags =
      (this.jsonMeta ? StreamRowFlags.jsonMeta : 0) |
      (rawApart ? StreamRowFlags.rawApart : 0) |
      StreamRowFlags.sharedApart;
    // The fields (often the record's own line) go apart from the rest: copied once.
    const tail = meta + raw + flag;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only then is the row measured.
    if (
      (fields.length + tail.length) * 3 <= QuerySessionLimits.MAX_OBJECT_BYTES ||
      Buffer.byteLength(fields) + Buffer.byteLength(tail) <= QuerySessionLimits.MAX_OBJECT_BYTES
    ) {
      this.loader.addParts(fields, tail, flags);
      return;
    }
    const stats = this.encoder.stats;
    stats.nulled[OVERSIZED_ROW] = (stats.nulled[OVERSIZED_ROW] ?? 0) + 1;
    stats.rows--; // the row is counted once, as the one below
    this.loader.addParts(
      this.encoder.fields({}),
      meta + NO_RAW + flag,
      flags | StreamRowFlags.rawApart,
    );
  }

  /**
   * Adds `fields ⇥ meta ⇥ ⇥` (no raw text apart, no flag) when every meta value is plain
   * ASCII text (an unknown partition key or arrival left empty): the spool copies them byte for
   * byte, the arrival's digits written from its number. False when the row must go the general
   * way (nothing added then).
   */
  private addPlainRow(fields: string, origin: RowOrigin): boolean {
    this.noteShard(origin.shardId);
    this.noteFormat(origin.format);
    const key = origin.partitionKey;
    // Empty texts read as NULL: only an unknown key or arrival may be empty.
    if (origin.sequenceNumber === '' || key === '') return false;
    // Codes and the arrival are integers.
    const tailBytes =
      origin.sequenceNumber.length + 3 * MAX_INTEGER_CHARS + (key?.length ?? 0) + PLAIN_ROW_TABS;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the meta values one (ASCII, or not added).
    if (fields.length * 3 + tailBytes > QuerySessionLimits.MAX_OBJECT_BYTES) return false;
    this.plainFields = fields;
    this.plainOrigin = origin;
    this.plainTailBytes = tailBytes;
    return this.loader.addLine(this.writePlainRow);
  }

  /**
   * Writes the row addPlainRow accepted; false when a meta value is not plain ASCII. Its _shard
   * and _format codes are left empty when they are its chunk's shared ones: those of the
   * chunk's first plain row (SpoolFile.shared), which the chunk's SELECT then has as constants.
   */
  private readonly writePlainRow = (file: SpoolFile): boolean => {
    const origin = this.plainOrigin!;
    const shared = (file.shared ??= { _shard: this.shardCode, _format: this.formatCode });
    let apart = false;
    file.startLine(this.plainFields, this.plainTailBytes);
    file.appendTab();
    if (this.shardCode !== shared['_shard']) {
      file.appendInteger(this.shardCode);
      apart = true;
    }
    file.appendTab();
    if (!file.appendAscii(origin.sequenceNumber)) return false;
    file.appendTab();
    if (!Number.isNaN(this.arrival)) file.appendInteger(this.arrival);
    file.appendTab();
    if (origin.partitionKey !== undefined && !file.appendAscii(origin.partitionKey)) return false;
    file.appendTab();
    if (this.formatCode !== shared['_format']) {
      file.appendInteger(this.formatCode);
      apart = true;
    }
    // No raw text apart, no flag.
    file.appendTab();
    file.appendTab();
    file.endLine();
    if (apart) file.flags |= StreamRowFlags.sharedApart;
    return true;
  };

  /**
   * `⇥shard⇥seq⇥arrival⇥key⇥format⇥`: the _shard and _format codes, and the others as plain
   * texts, or all as JSON strings when one is not plain (then {@link jsonMeta} is set).
   */
  private metaText(origin: RowOrigin): string {
    this.noteShard(origin.shardId);
    this.noteFormat(origin.format);
    const key = origin.partitionKey;
    if (key !== this.partitionKey) {
      this.partitionKey = key;
      this.plainPartitionKey = key === undefined || PLAIN_META.test(key);
    }
    const seq = origin.sequenceNumber;
    const format = this.formatCode;
    const arrival = Number.isNaN(this.arrival) ? '' : String(this.arrival);
    if (this.plainPartitionKey && PLAIN_META.test(seq)) {
      this.jsonMeta = false;
      return this.shardText + seq + TAB + arrival + TAB + (key ?? '') + TAB + format + TAB;
    }
    this.jsonMeta = true;
    const json = (value: string | undefined) => (value === undefined ? '' : JSON.stringify(value));
    return (
      this.shardText +
      json(seq) +
      TAB +
      (arrival === '' ? '' : json(arrival)) +
      TAB +
      json(key) +
      TAB +
      format +
      TAB
    );
  }

  /** Keeps `shardId`, its code and the code's text between TABs. */
  private noteShard(shardId: string): void {
    if (shardId === this.shard) return;
    this.shard = shardId;
    this.shardCode = this.codes._shard.codeOf(shardId);
    this.shardText = TAB + this.shardCode + TAB;
  }

  /** Keeps `format` and its code. */
  private noteFormat(format: string): void {
    if (format === this.format) return;
    this.format = format;
    this.formatCode = this.codes._format.codeOf(format);
  }
}

const TAB = '\t';
/** TABs after the fields of a plain row: before each meta value, the raw text and the flag. */
const PLAIN_ROW_TABS = 7;
/** The arrivals a TIMESTAMP column takes, as timestampText does: years 0 to 9999. */
const MIN_ARRIVAL_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_ARRIVAL_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An arrival as spooled (see stream-row-format.ts): whole milliseconds since 1970, as a Date
 * holds them; NaN (NULL) when unknown or out of a TIMESTAMP's years, as timestampText has it.
 */
function spooledArrivalMs(ms: number): number {
  const whole = Math.trunc(ms);
  return whole >= MIN_ARRIVAL_MS && whole <= MAX_ARRIVAL_MS ? whole : Number.NaN;
}
