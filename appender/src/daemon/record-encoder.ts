import { unparsedEvent, type LineParser, type LogEvent } from '@kinlog/core';
import { encodeEvent } from '../sink/encode-event.js';
import { fieldPartitionKey } from '../sink/partition-key.js';
import type { LineCut } from './line-splitter.js';
import type { ShipFlow } from './ship-config.js';

/** What the splitter said about the line a record came from. */
export interface LineFlags {
  cut?: LineCut | undefined;
  invalidUtf8?: boolean | undefined;
}

/** One record's JSON body and partition key, and how its parsing went. */
export interface EncodedRecord {
  data: string;
  key: string | undefined;
  /** The parser did not recognise the line (the event carries the line as its message). */
  parseError: boolean;
  /** The parser threw (the line still became a record, marked with the failure). */
  parserFailed: boolean;
}

/**
 * Turns a flow's records into what is sent: the line parsed, decorated (source, host, the
 * flow's fields, cut and UTF-8 marks) and JSON-encoded, or, in line output, only its partition
 * key. Pure apart from the parser it is given.
 *
 * @example
 * ```ts
 * const enc = new RecordEncoder(flow, getParser('auto'), hostname());
 * const { data, key } = enc.encode('/var/log/app.log', 'GET / 200', {});
 * ```
 */
export class RecordEncoder {
  /** The flow's extra fields, listed once rather than per line. */
  private readonly fields: readonly (readonly [string, unknown])[];

  constructor(
    private readonly flow: ShipFlow,
    private readonly parse: LineParser,
    private readonly host: string,
  ) {
    this.fields = Object.entries(flow.fields);
  }

  /** Line output: the line is sent as read; it is parsed only when a field is the key. */
  lineKey(path: string, text: string): string | undefined {
    if (typeof this.flow.partitionKey !== 'object') return this.partitionKey(path, undefined);
    try {
      return this.partitionKey(path, this.parse(text));
    } catch {
      return undefined; // a line its parser cannot read gets a random key
    }
  }

  /**
   * The event of one record, decorated and encoded, with its partition key. Whatever a parser or
   * the encoder throws on a hostile line (a stack overflow on deep nesting), the line still
   * becomes a record, a parse error, and the file moves on.
   */
  encode(path: string, text: string, line: LineFlags | undefined): EncodedRecord {
    try {
      const event = this.parse(text);
      this.decorate(path, event, line);
      return {
        data: encodeEvent(event),
        key: this.partitionKey(path, event),
        parseError: event.parseError === true,
        parserFailed: false,
      };
    } catch (err) {
      const event: LogEvent = unparsedEvent(text);
      event.kinlogParseFailure = err instanceof Error ? err.message : String(err);
      this.decorate(path, event, line);
      return {
        data: encodeEvent(event),
        key: this.partitionKey(path, event),
        parseError: event.parseError === true,
        parserFailed: true,
      };
    }
  }

  private decorate(path: string, event: LogEvent, line: LineFlags | undefined): void {
    event.source = path;
    if (event.host === undefined) event.host = this.host;
    for (const [k, v] of this.fields) if (event[k] === undefined) event[k] = v;
    if (line?.cut !== undefined) event.kinlogLineCut = line.cut;
    if (line?.invalidUtf8) event.kinlogInvalidUtf8 = true;
  }

  private partitionKey(path: string, event: LogEvent | undefined): string | undefined {
    const p = this.flow.partitionKey;
    if (p === 'random') return undefined;
    if (p === 'file') return path;
    return fieldPartitionKey(event, p.field);
  }
}
