/*
 *   payload ─┬─ 1f 8b ........... gunzip (bounded) ─┐
 *            ├─ F3 89 9A C2 ..... deaggregate ──────┼─▶ each part decoded again (depth ≤ 2)
 *            └─ anything else ─── UTF-8 line ─▶ parser (auto: the format detector; or a named parser)
 *
 * Every event is counted under the format that read it (`formatCounts`), so the counts add up
 * to the events emitted and a record no parser understood shows as `raw` (or `unparsed`).
 *
 * Nothing here throws on record content: a payload that cannot be decoded becomes one
 * `parseError` event, so it is counted as unparsed and never stops an iteration.
 */
import { gunzipSync } from 'node:zlib';
import {
  ConfigError,
  FormatDetector,
  hashKeyOf,
  getParser,
  isParserName,
  LogFormatNames,
  LogFormats,
  normalizeJsonEvent,
  parseJsonObject,
  ParserNames,
  unparsedEvent,
  type LineParser,
  type LogEvent,
  type LogFormat,
  type ParserName,
} from '@kinlog/core';
import { deaggregate, isKplAggregate, type KplUserRecord } from './kpl-aggregate.js';

/** A shard's hash key range, both ends inclusive. */
export interface OwnerRange {
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

function ownsUserRecord(owner: OwnerRange, part: KplUserRecord): boolean {
  if (part.partitionKey === undefined && part.explicitHashKey === undefined) return true;
  let hash: bigint;
  try {
    hash = hashKeyOf(part.partitionKey ?? '', part.explicitHashKey);
  } catch {
    return true; // an unreadable explicit hash key: keep the record rather than lose it
  }
  return hash >= owner.startingHashKey && hash <= owner.endingHashKey;
}

/** `auto` reads each record in the format it is in (core's `FormatDetector`). */
export const AUTO_PARSER = 'auto' satisfies ParserName;
/** A parser name of `@kinlog/core` ({@link AUTO_PARSER} included). */
export type DecoderParser = ParserName;

/**
 * What {@link DecodeFormatCounts} counts besides core's `LogFormats`: records a named parser
 * could not read, and payloads that could not be decoded at all (bad gzip or KPL).
 */
export const DecodeOutcomes = { unparsed: 'unparsed', undecodable: 'undecodable' } as const;
/** A key of {@link DecodeFormatCounts}. */
export type DecodedFormat = LogFormat | (typeof DecodeOutcomes)[keyof typeof DecodeOutcomes];
/** Every {@link DecodedFormat}, in the order reports list them. */
export const DecodedFormatNames: readonly DecodedFormat[] = Object.freeze([
  ...LogFormatNames,
  DecodeOutcomes.unparsed,
  DecodeOutcomes.undecodable,
]);
/** Events per format that read them; they add up to {@link DecodeStats.events}. */
export type DecodeFormatCounts = Record<DecodedFormat, number>;

/** Format of the events a named parser reads (its failures count as `unparsed`). */
const FORMAT_OF_PARSER: Readonly<Record<Exclude<ParserName, 'auto'>, LogFormat>> = {
  json: LogFormats.json,
  apache: LogFormats.access,
  nginx: LogFormats.access,
  log4j: LogFormats.log4j,
  apacheError: LogFormats.apacheError,
  syslog: LogFormats.syslog,
  raw: LogFormats.raw,
};

/** Bounds of {@link RecordDecoder}. */
export const RecordDecoderLimits = {
  /** A gzip payload may not inflate past this (a record is ≤ 10 MiB; this stops zip bombs). */
  MAX_INFLATED_BYTES: 16 * 1024 * 1024,
  /** gzip inside KPL, KPL inside gzip: deeper nesting is not something producers do. */
  MAX_NESTING: 2,
  /** Text kept of an undecodable payload in its unparsed event. */
  MAX_UNPARSED_CHARS: 1024,
} as const;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Counts of what the decoder saw. */
export interface DecodeStats {
  /** Kinesis records given to `decode`. */
  records: number;
  /** Events emitted (a KPL record emits several). */
  events: number;
  gzipPayloads: number;
  kplAggregates: number;
  /** Payloads that could not be decoded (bad gzip, bad KPL, too large): emitted as unparsed. */
  undecodable: number;
  /** Aggregated user records skipped because their key belongs to another shard. */
  misplaced: number;
}

/**
 * Counters of a decoder that has seen nothing yet (also what an empty or carried shard reports).
 *
 * @example
 * ```ts
 * emptyDecodeStats().records; // 0
 * ```
 */
export function emptyDecodeStats(): DecodeStats {
  return { records: 0, events: 0, gzipPayloads: 0, kplAggregates: 0, undecodable: 0, misplaced: 0 };
}

/** Receives each decoded event with the text line it came from. */
export type DecodedEventHandler = (event: LogEvent, line: string) => void;

/**
 * Decides from a JSON object as parsed, before any normalization, whether the record is worth
 * parsing in full (`true`) or may be passed on as {@link SCREENED_OUT} (`false`).
 */
export type RecordScreen = (parsed: Readonly<Record<string, unknown>>) => boolean;

/**
 * A cheaper, earlier screen over a payload's bytes: `false` only when the payload is a JSON
 * object line that {@link RecordScreen} would certainly turn down; `true` when unsure.
 */
export type RecordBytesScreen = (payload: Uint8Array) => boolean;

/**
 * The event emitted for a JSON record its screen turned down: empty, so it reads as a record
 * with no level, status or message. Shared and frozen; never mutate it. Its line is empty when
 * the bytes screen turned it down (the text was never decoded).
 */
export const SCREENED_OUT: LogEvent = Object.freeze({});

/**
 * Gives, from a JSON object as parsed (not to be changed), the event the JSON parser's
 * normalization would make of it as far as its consumer reads it; `undefined` when unsure
 * (the object is then normalized as usual). See `JsonEventReader`.
 */
export type ParsedJsonReader = (parsed: Readonly<Record<string, unknown>>) => LogEvent | undefined;

export interface RecordDecoderOptions {
  /** Default {@link AUTO_PARSER}. */
  readonly parser?: DecoderParser;
  /**
   * With the `auto` or `json` parser: JSON object lines are first parsed as they are and shown
   * to `screen`; those it turns down are emitted as {@link SCREENED_OUT} without the parser's
   * normalization. For consumers that only look closer at a few records (the analyzer only at
   * errors), this saves most of the parsing work.
   */
  readonly screen?: RecordScreen;
  /**
   * With `screen`: payloads this turns down are emitted as {@link SCREENED_OUT} before being
   * decoded or parsed at all. It must turn down only what `screen` would (see
   * `createMayBeErrorBytes`); anything it is unsure of goes on to `screen` as usual.
   */
  readonly screenBytes?: RecordBytesScreen;
  /**
   * With `screen`: JSON objects are first offered to this reader, and an event it returns is
   * emitted as it is, neither screened nor normalized. For consumers that read a few fields of
   * each event (the analyzer's classifier): it must give what the JSON parser's normalization
   * gives under every field they read. Its event may be one object filled in anew for each
   * record, so the `emit` handler must not keep events.
   */
  readonly readParsed?: ParsedJsonReader;
}

/**
 * Turns Kinesis record payloads into log events, detecting gzip and KPL aggregation by magic.
 *
 * @example
 * ```ts
 * const decoder = new RecordDecoder({ parser: 'auto' });
 * decoder.decode(record.Data, (event, line) => topN.add(classifyEvent(event), line));
 * ```
 */
export class RecordDecoder {
  readonly stats: DecodeStats = emptyDecodeStats();
  /** The format that read the last event handed out (what its `formatCounts` entry counted). */
  lastFormat: DecodedFormat = 'json';
  /** Events per format; see {@link DecodeFormatCounts}. */
  readonly formatCounts: DecodeFormatCounts = Object.fromEntries(
    DecodedFormatNames.map((f) => [f, 0]),
  ) as DecodeFormatCounts;
  private readonly parse: LineParser;
  /** With `auto`: the detector behind `parse`, which says the format of each line. */
  private readonly detector: FormatDetector | undefined;
  /** With a named parser: the format of what it reads. */
  private readonly namedFormat: LogFormat;
  private readonly screen: RecordScreen | undefined;
  private readonly screenBytes: RecordBytesScreen | undefined;
  private readonly readParsed: ParsedJsonReader | undefined;
  private readonly textDecoder = new TextDecoder();

  constructor(options: RecordDecoderOptions = {}) {
    const name = options.parser ?? AUTO_PARSER;
    if (options.screen !== undefined && typeof options.screen !== 'function') {
      throw new ConfigError([
        { path: 'screen', message: 'must be a function (parsed) => boolean' },
      ]);
    }
    // Only the JSON parser's work can be skipped or shared: its normalization is core's too.
    this.screen = name === AUTO_PARSER || name === 'json' ? options.screen : undefined;
    if (options.screenBytes !== undefined && typeof options.screenBytes !== 'function') {
      throw new ConfigError([
        { path: 'screenBytes', message: 'must be a function (payload) => boolean' },
      ]);
    }
    this.screenBytes = this.screen === undefined ? undefined : options.screenBytes;
    if (options.readParsed !== undefined && typeof options.readParsed !== 'function') {
      throw new ConfigError([
        { path: 'readParsed', message: 'must be a function (parsed) => event | undefined' },
      ]);
    }
    this.readParsed = this.screen === undefined ? undefined : options.readParsed;
    this.namedFormat = LogFormats.raw;
    if (name === AUTO_PARSER) {
      this.detector = new FormatDetector();
      this.parse = this.detector.parseLine;
    } else if (isParserName(name)) {
      this.detector = undefined;
      this.parse = getParser(name);
      this.namedFormat = FORMAT_OF_PARSER[name];
    } else {
      throw new ConfigError([
        {
          path: 'parser',
          message: `must be one of ${ParserNames.join(', ')}, got ${JSON.stringify(String(name))}`,
        },
      ]);
    }
  }

  /**
   * Decodes one record's payload, calling `emit` once per event it holds. With `owner` (the hash
   * key range of the shard the record was read from), user records of a KPL aggregate whose key
   * belongs to another shard are skipped and counted, as the KCL does: a producer with a stale
   * shard map put them there, and puts them again on the right shard.
   */
  decode(payload: Uint8Array, emit: DecodedEventHandler, owner?: OwnerRange): void {
    this.stats.records++;
    this.decodePart(payload, emit, 0, owner);
  }

  private decodePart(
    payload: Uint8Array,
    emit: DecodedEventHandler,
    depth: number,
    owner?: OwnerRange,
  ): void {
    if (depth < RecordDecoderLimits.MAX_NESTING) {
      if (payload.length >= 2 && payload[0] === GZIP_MAGIC_0 && payload[1] === GZIP_MAGIC_1) {
        this.stats.gzipPayloads++;
        let inflated: Uint8Array;
        try {
          inflated = gunzipSync(payload, {
            maxOutputLength: RecordDecoderLimits.MAX_INFLATED_BYTES,
          });
        } catch {
          this.emitUndecodable(payload, emit);
          return;
        }
        this.decodePart(inflated, emit, depth + 1);
        return;
      }
      if (isKplAggregate(payload)) {
        this.stats.kplAggregates++;
        let parts;
        try {
          parts = deaggregate(payload);
        } catch {
          this.emitUndecodable(payload, emit);
          return;
        }
        for (const part of parts) {
          if (owner !== undefined && !ownsUserRecord(owner, part)) {
            this.stats.misplaced++;
            continue;
          }
          this.decodePart(part.data, emit, depth + 1);
        }
        return;
      }
    }
    this.stats.events++;
    if (this.screenBytes !== undefined && !this.screenBytes(payload)) {
      this.count('json'); // only ever a valid JSON object line
      emit(SCREENED_OUT, '');
      return;
    }
    const line = stripLineEnd(this.textDecoder.decode(payload));
    emit(
      this.screen === undefined ? this.parseCounted(line) : this.screened(line, this.screen),
      line,
    );
  }

  /** The parser's event for a line, counted under the format that read it. */
  private parseCounted(line: string): LogEvent {
    const event = this.parse(line);
    if (this.detector !== undefined) this.count(this.detector.format);
    else if (event.parseError === true) this.count('unparsed');
    else this.count(this.namedFormat);
    return event;
  }

  private count(format: DecodedFormat): void {
    this.formatCounts[format]++;
    this.lastFormat = format;
  }

  /**
   * A JSON object line is parsed once (`parseJsonObject`, as core's JSON parser reads it): shown
   * to the screen, then, unless turned down, normalized as that parser would
   * (`normalizeJsonEvent`). Anything else, bad JSON included, goes the parser's way and is
   * handled exactly as without a screen.
   */
  private screened(line: string, screen: RecordScreen): LogEvent {
    const parsed = parseJsonObject(line);
    if (parsed === undefined) return this.parseCounted(line);
    this.count('json');
    // An event the reader gives needs no screen: it is read only as far as it is classified.
    const read = this.readParsed?.(parsed as Record<string, unknown>);
    if (read !== undefined) return read;
    if (!screen(parsed as Record<string, unknown>)) return SCREENED_OUT;
    return normalizeJsonEvent(parsed, line);
  }

  private emitUndecodable(payload: Uint8Array, emit: DecodedEventHandler): void {
    this.stats.undecodable++;
    this.stats.events++;
    this.count('undecodable');
    const text = Buffer.from(payload.subarray(0, RecordDecoderLimits.MAX_UNPARSED_CHARS)).toString(
      'latin1',
    );
    emit(unparsedEvent(text), text);
  }
}

function stripLineEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x0a || text.charCodeAt(end - 1) === 0x0d)) end--;
  return end === text.length ? text : text.slice(0, end);
}
