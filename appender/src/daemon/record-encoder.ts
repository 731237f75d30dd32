import {
  accessJsonRoomBytes,
  accessEvent,
  accessEventJson,
  AccessEventFields,
  AccessJsonWasm,
  unparsedEvent,
  type AccessJsonWriter,
  type AccessLine,
  type LineParser,
  type LogEvent,
} from '@kinlog/core';
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

/** What {@link RecordEncoder.decorate} adds to an event: never one of the event's own fields. */
const DECORATION_FIELDS: ReadonlySet<string> = new Set([
  'source',
  'host',
  'kinlogLineCut',
  'kinlogInvalidUtf8',
  'kinlogParseFailure',
]);

/** Reads a line as an access line, as the flow's parser would (see `accessLineReaderOf`). */
export type AccessLineReader = (line: string) => AccessLine | undefined;

/**
 * Turns a flow's records into what is sent: the line parsed, decorated (source, host, the
 * flow's fields, cut and UTF-8 marks) and JSON-encoded, or, in line output, only its partition
 * key. Pure apart from the parser it is given.
 *
 *   line ─ readAccess? ─ an access line ─► its JSON written from the fields, + decoration JSON
 *              └──────── anything else ──► parse ─► decorate ─► encodeEvent
 *
 * Access lines (most of what is shipped) skip the event object and the generic serializer: the
 * text is the same, byte for byte (a differential test holds the two paths to it).
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
  /**
   * The flow's fields as JSON members (`,"k":v`), when an access event's decoration is always
   * them in this order: no field is an access field or a decoration, an integer-like key (which
   * objects list first) or something every object has (`constructor`, `__proto__`).
   */
  private readonly fieldsJson: string | undefined;
  /** The decoration's JSON of the last file encoded (one file at a time, mostly). */
  private tailPath: string | undefined;
  private tail = '';
  /** The same as bytes, for {@link writeAccess}. */
  private tailBytesPath: string | undefined;
  private tailBytes: Buffer = Buffer.alloc(0);
  private readonly writeAccessJson: AccessJsonWriter | undefined;
  private readonly wasm: AccessJsonWasm | undefined;

  /**
   * @param readAccess Reads a line as an access line exactly as `parse` does (from
   *   `accessLineReaderOf` of the same parser name); without it every line goes through `parse`.
   * @param writeAccess Writes a plain access line's record from its bytes as `readAccess` and
   *   `accessEventJson` would (`accessJsonWriterOf` of the same parser name), or the
   *   WebAssembly writer of the same (`accessJsonWasmOf`), fastest into its {@link recordBuffers}.
   */
  constructor(
    private readonly flow: ShipFlow,
    private readonly parse: LineParser,
    private readonly host: string,
    private readonly readAccess?: AccessLineReader,
    writeAccess?: AccessJsonWriter | AccessJsonWasm,
  ) {
    this.fields = Object.entries(flow.fields);
    this.fieldsJson = plainFieldsJson(this.fields);
    if (writeAccess instanceof AccessJsonWasm) {
      this.wasm = writeAccess;
      this.writeAccessJson = writeAccess.write;
    } else {
      this.writeAccessJson = writeAccess;
    }
  }

  /**
   * Buffers {@link writeAccess} writes into fastest (the WebAssembly writer's own memory; none
   * for the JS writer). Records in them are overwritten once the buffer is used again.
   */
  get recordBuffers(): readonly Buffer[] {
    return this.wasm?.outputBuffers ?? [];
  }

  /** The bytes of a `src` passed to {@link writeAccess} before may have changed. */
  forgetSource(): void {
    this.wasm?.forgetSource();
  }

  /**
   * Records may be written from a line's bytes ({@link writeAccess}): an access parser, flow
   * fields that keep the access record's shape, and a partition key that needs no event.
   */
  get writesFromBytes(): boolean {
    return (
      this.writeAccessJson !== undefined &&
      this.fieldsJson !== undefined &&
      typeof this.flow.partitionKey !== 'object'
    );
  }

  /**
   * Room {@link writeAccess} may need in `out` for the line `src[from, to)` of `path`.
   */
  roomFor(path: string, from: number, to: number): number {
    return accessJsonRoomBytes(to - from, this.tailOf(path).length);
  }

  /**
   * The record of the one-line entry `src[from, to)` (no cut, valid UTF-8) of `path`, written
   * into `out` from `at` when it is a plain access line (see `writeAccessJson`): where it ends,
   * or -1 when {@link encode} must encode it. Only when {@link writesFromBytes}; `out` holds
   * {@link roomFor} bytes from `at`. Its partition key is {@link lineKey}'s.
   */
  writeAccess(
    path: string,
    src: Buffer,
    from: number,
    to: number,
    out: Buffer,
    at: number,
  ): number {
    return this.writeAccessJson!(src, from, to, out, at, this.tailOf(path));
  }

  /** The decoration's JSON of `path`'s records, as bytes. */
  private tailOf(path: string): Buffer {
    if (path !== this.tailBytesPath) {
      this.tailBytes = Buffer.from(this.tailJson(path));
      this.tailBytesPath = path;
    }
    return this.tailBytes;
  }

  /** `,"source":…,"host":…` and the flow's fields, for an access record of `path`. */
  private tailJson(path: string): string {
    if (path !== this.tailPath) {
      this.tail = `,"source":${JSON.stringify(path)},"host":${JSON.stringify(this.host)}${this.fieldsJson!}`;
      this.tailPath = path;
    }
    return this.tail;
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
    const fast = this.encodeAccess(path, text, line);
    if (fast !== undefined) return fast;
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

  /** An access line's record, written from its fields; `undefined` for any other line. */
  private encodeAccess(
    path: string,
    text: string,
    line: LineFlags | undefined,
  ): EncodedRecord | undefined {
    if (this.readAccess === undefined || this.fieldsJson === undefined) return undefined;
    let a: AccessLine | undefined;
    try {
      a = this.readAccess(text);
    } catch {
      return undefined; // the careful path records what the parser makes of it
    }
    if (a === undefined) return undefined;
    let more = this.tailJson(path);
    if (line?.cut !== undefined) more += `,"kinlogLineCut":${JSON.stringify(line.cut)}`;
    if (line?.invalidUtf8) more += ',"kinlogInvalidUtf8":true';
    let key: string | undefined;
    if (typeof this.flow.partitionKey === 'object') {
      const event = accessEvent(a);
      this.decorate(path, event, line);
      key = this.partitionKey(path, event);
    } else {
      key = this.partitionKey(path, undefined);
    }
    return { data: accessEventJson(a, more), key, parseError: false, parserFailed: false };
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

/** See {@link RecordEncoder.fieldsJson}. */
function plainFieldsJson(fields: readonly (readonly [string, unknown])[]): string | undefined {
  let json = '';
  for (const [k, v] of fields) {
    if (
      AccessEventFields.includes(k) ||
      DECORATION_FIELDS.has(k) ||
      /^\d+$/.test(k) ||
      k in Object.prototype
    ) {
      return undefined;
    }
    json += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return json;
}
