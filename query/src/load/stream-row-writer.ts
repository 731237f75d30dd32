/*
 *   event + line + origin ─▶ fields JSON (RowEncoder: unfit values NULL, columns typed)
 *     ─▶ fields ⇥ meta ⇥ raw (stream-row-format.ts): raw left empty when the line is the
 *        fields text itself; a row past MAX_OBJECT_BYTES keeps its meta columns only (counted)
 */
import type { LogEvent } from '@kinlog/core';
import { timestampText, type RowEncoder } from '../columns/row-encoder.js';
import { QuerySessionLimits } from '../session/query-session.js';
import type { RowOrigin } from '../window/read-window-rows.js';
import { JSON_META_FLAG, NO_RAW, PLAIN_META, StreamRowFlags } from './stream-row-format.js';
import type { TableLoader } from './table-loader.js';

/** Counted in `nulled` for rows past MAX_OBJECT_BYTES, loaded with their meta columns only. */
export const OVERSIZED_ROW = 'oversized rows (fields and _raw)';

/**
 * Turns each decoded event of one stream into a spooled row of one table
 * (see stream-row-format.ts).
 *
 * @example
 * ```ts
 * const rows = new StreamRowWriter(encoder, loader);
 * await readWindowRows(source, window, { row: (e, line, origin) => rows.row(e, line, origin) });
 * ```
 */
export class StreamRowWriter {
  private shard: string | undefined;
  /** `⇥shard⇥` while it is plain text. */
  private shardText = '';
  private partitionKey: string | undefined;
  private plainPartitionKey = true;
  private jsonMeta = false;
  // Records of a page mostly share their arrival millisecond: its text is made once.
  private arrivalMs = Number.NaN;
  private arrival = '';
  private minuteStartMs = Number.NaN;
  private minutePrefix = '';

  constructor(
    private readonly encoder: RowEncoder,
    private readonly loader: TableLoader,
  ) {}

  /** Writes the row of one decoded event. */
  row(event: LogEvent, line: string, origin: RowOrigin): void {
    if (origin.arrivalMs !== this.arrivalMs) {
      this.arrivalMs = origin.arrivalMs;
      this.arrival = this.arrivalText(this.arrivalMs) ?? '';
    }
    // A JSON record normalization left as parsed is written as its own line where that reads
    // the same: no second serialization, and the line is then also the raw text.
    const fields = this.encoder.fieldsOfLine(event, line);
    const meta = this.metaText(origin);
    const rawApart = fields !== line;
    const raw = rawApart ? JSON.stringify(line) : '';
    const flag = this.jsonMeta ? TAB + JSON_META_FLAG : TAB;
    const flags =
      (this.jsonMeta ? StreamRowFlags.jsonMeta : 0) | (rawApart ? StreamRowFlags.rawApart : 0);
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
   * `⇥shard⇥seq⇥arrival⇥key⇥format⇥`: plain texts, or all JSON strings when one is not plain
   * (then {@link jsonMeta} is set).
   */
  private metaText(origin: RowOrigin): string {
    if (origin.shardId !== this.shard) {
      this.shard = origin.shardId;
      this.shardText = PLAIN_META.test(this.shard) ? TAB + this.shard + TAB : '';
    }
    const key = origin.partitionKey;
    if (key !== this.partitionKey) {
      this.partitionKey = key;
      this.plainPartitionKey = key === undefined || PLAIN_META.test(key);
    }
    const seq = origin.sequenceNumber;
    const format = origin.format;
    if (
      this.shardText !== '' &&
      this.plainPartitionKey &&
      PLAIN_META.test(seq) &&
      PLAIN_META.test(format)
    ) {
      this.jsonMeta = false;
      return this.shardText + seq + TAB + this.arrival + TAB + (key ?? '') + TAB + format + TAB;
    }
    this.jsonMeta = true;
    const json = (value: string | undefined) => (value === undefined ? '' : JSON.stringify(value));
    return (
      TAB +
      json(this.shard) +
      TAB +
      json(seq) +
      TAB +
      (this.arrival === '' ? '' : json(this.arrival)) +
      TAB +
      json(key) +
      TAB +
      json(format) +
      TAB
    );
  }

  /** `timestampText(ms)`, made from the text of its minute when that is the last one's. */
  private arrivalText(ms: number): string | undefined {
    const inMinute = ms - this.minuteStartMs;
    if (!(inMinute >= 0 && inMinute < MS_PER_MINUTE && Number.isInteger(ms))) {
      const text = timestampText(ms);
      if (text === undefined || !Number.isInteger(ms)) return text;
      this.minuteStartMs = ms - (((ms % MS_PER_MINUTE) + MS_PER_MINUTE) % MS_PER_MINUTE);
      this.minutePrefix = text.slice(0, MINUTE_PREFIX_CHARS);
      return text;
    }
    const seconds = Math.floor(inMinute / 1000);
    const millis = inMinute % 1000;
    return (
      this.minutePrefix +
      (seconds < 10 ? '0' : '') +
      seconds +
      (millis < 10 ? '.00' : millis < 100 ? '.0' : '.') +
      millis +
      'Z'
    );
  }
}

const TAB = '\t';
const MS_PER_MINUTE = 60_000;
/** `YYYY-MM-DDTHH:MM:` of an ISO timestamp. */
const MINUTE_PREFIX_CHARS = 17;
