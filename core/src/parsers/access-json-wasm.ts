/*
 * writeAccessJson compiled to WebAssembly (core/assembly/access-json.ts, SIMD): the same record,
 * byte for byte, and the same -1 cases, at a fraction of the JS writer's cost. Records are
 * written into buffers it lends, which are views of its own fixed memory (never grown, so the
 * views stay valid): the caller hands them on as they are.
 *
 *   memory: │ static │ more │ small src │ src (a copy of the last big one) │ output buffer 0 │ … │
 *   write(src, from, to, out, at, more) ─ out one of its buffers, all fits ─► WebAssembly
 *                                        └─ anything else ─────────────────► the JS writer
 */
import { ACCESS_JSON_WASM_BASE64 } from './access-json-wasm-bytes.js';
import { writeAccessJson } from './access-json-writer.js';

/**
 * Sizes of an {@link AccessJsonWasm}'s memory.
 *
 * @example
 * ```ts
 * const room = AccessJsonWasmLimits.OUTPUT_BUFFER_BYTES; // the most one record may take
 * ```
 */
export const AccessJsonWasmLimits = {
  /** Output buffers lent, and the bytes of each. */
  OUTPUT_BUFFERS: 16,
  OUTPUT_BUFFER_BYTES: 256 * 1024,
  /** Most bytes of a `src` kept whole (a bigger one has its line copied alone). */
  SOURCE_BYTES: 512 * 1024,
  /** A `src` up to this size (a line of its own) is copied each time, the kept one kept. */
  SMALL_SOURCE_BYTES: 4 * 1024,
  /** Most bytes of `more`; with a longer one the JS writer writes. */
  MORE_BYTES: 16 * 1024,
} as const;

const PAGE_BYTES = 64 * 1024;
/** The module's constant pieces live below this. */
const STATIC_BYTES = 64 * 1024;
/** Its SIMD reads run up to 15 bytes past a line's end. */
const READ_SLACK_BYTES = 16;
const MORE_AT = STATIC_BYTES;
const SMALL_SOURCE_AT = MORE_AT + AccessJsonWasmLimits.MORE_BYTES + READ_SLACK_BYTES;
const SOURCE_AT = SMALL_SOURCE_AT + AccessJsonWasmLimits.SMALL_SOURCE_BYTES + READ_SLACK_BYTES;
const OUTPUT_AT = SOURCE_AT + AccessJsonWasmLimits.SOURCE_BYTES + READ_SLACK_BYTES;
const MEMORY_PAGES = Math.ceil(
  (OUTPUT_AT + AccessJsonWasmLimits.OUTPUT_BUFFERS * AccessJsonWasmLimits.OUTPUT_BUFFER_BYTES) /
    PAGE_BYTES,
);

interface AccessJsonExports {
  staticEnd: () => number;
  writeAccessJson: (
    from: number,
    to: number,
    out: number,
    more: number,
    moreBytes: number,
    auto: number,
  ) => number;
}

/** The part of the WebAssembly API used (the project's lib has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (size: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
}

/** The runtime's WebAssembly, if it has one. */
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The compiled module; null once it proved unusable here (no WebAssembly, or no SIMD). */
let compiled: object | null | undefined;

function compiledModule(): object | undefined {
  if (compiled === undefined) {
    try {
      const bytes = Buffer.from(ACCESS_JSON_WASM_BASE64, 'base64');
      compiled = wasmApi?.validate(bytes) === true ? new wasmApi.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled ?? undefined;
}

/**
 * The access-line writer in WebAssembly, with the output buffers it writes into. One instance
 * per consumer: it keeps the last `src` and `more` it copied in.
 *
 * @example
 * ```ts
 * const w = AccessJsonWasm.create(true); // undefined where WebAssembly SIMD is not available
 * const out = w!.outputBuffers[0]!;
 * const end = w!.write(line, 0, line.length, out, 0, Buffer.from(',"host":"web-1"'));
 * // out.subarray(0, end): the record, as writeAccessJson writes it
 * ```
 */
export class AccessJsonWasm {
  /**
   * Buffers whose records it writes itself: views of its memory, valid for its life. Into any
   * other buffer, {@link write} is the JS writer.
   */
  readonly outputBuffers: readonly Buffer[];
  private readonly memory: ArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly writeWasm: AccessJsonExports['writeAccessJson'];
  private readonly auto: number;
  private lastSrc: Uint8Array | undefined;
  private lastMore: Uint8Array | undefined;

  private constructor(exports: AccessJsonExports, memory: ArrayBuffer, auto: boolean) {
    this.memory = memory;
    this.bytes = new Uint8Array(this.memory);
    this.writeWasm = exports.writeAccessJson;
    this.auto = auto ? 1 : 0;
    const buffers: Buffer[] = [];
    for (let i = 0; i < AccessJsonWasmLimits.OUTPUT_BUFFERS; i++) {
      const at = OUTPUT_AT + i * AccessJsonWasmLimits.OUTPUT_BUFFER_BYTES;
      buffers.push(Buffer.from(this.memory, at, AccessJsonWasmLimits.OUTPUT_BUFFER_BYTES));
    }
    this.outputBuffers = buffers;
  }

  /**
   * A writer reading lines as the `auto` parser does (`auto`), or as `apache`/`nginx`;
   * undefined where WebAssembly with SIMD is not available.
   */
  static create(auto: boolean): AccessJsonWasm | undefined {
    const module = compiledModule();
    if (module === undefined || wasmApi === undefined) return undefined;
    // Never grown (maximum = initial): growing would detach every view of it.
    const memory = new wasmApi.Memory({ initial: MEMORY_PAGES, maximum: MEMORY_PAGES });
    const exports = new wasmApi.Instance(module, { env: { memory } }).exports as AccessJsonExports;
    if (exports.staticEnd() > STATIC_BYTES) {
      return undefined; // a build whose constants outgrew their room: the JS writer serves
    }
    return new AccessJsonWasm(exports, memory.buffer, auto);
  }

  /**
   * `writeAccessJson(src, from, to, out, at, more, auto)`: the same answer and bytes. A `src`
   * over SMALL_SOURCE_BYTES (a chunk of lines) is copied into its memory whole once and read
   * from there while the same object is passed again: after changing the bytes of such a `src`
   * (or of `more`) passed before, call {@link forgetSource} first.
   */
  readonly write = (
    src: Uint8Array,
    from: number,
    to: number,
    out: Uint8Array,
    at: number,
    more: Uint8Array,
  ): number => {
    const outAt = out.byteOffset + at;
    if (
      out.buffer !== this.memory ||
      outAt < OUTPUT_AT ||
      more.length > AccessJsonWasmLimits.MORE_BYTES ||
      to - from > AccessJsonWasmLimits.SOURCE_BYTES
    ) {
      return writeAccessJson(src, from, to, out, at, more, this.auto === 1);
    }
    if (more !== this.lastMore) {
      this.bytes.set(more, MORE_AT);
      this.lastMore = more;
    }
    let base = SOURCE_AT;
    if (src.length <= AccessJsonWasmLimits.SMALL_SOURCE_BYTES) {
      // A line of its own (joined across chunks, or many lines in one): copied, while the
      // chunk kept stays for the lines to come.
      this.bytes.set(src, SMALL_SOURCE_AT);
      base = SMALL_SOURCE_AT;
    } else if (src !== this.lastSrc) {
      if (src.length <= AccessJsonWasmLimits.SOURCE_BYTES) {
        this.bytes.set(src, SOURCE_AT);
        this.lastSrc = src;
      } else {
        this.bytes.set(src.subarray(from, to), SOURCE_AT);
        this.lastSrc = undefined;
        base = SOURCE_AT - from;
      }
    }
    const end = this.writeWasm(base + from, base + to, outAt, MORE_AT, more.length, this.auto);
    return end < 0 ? -1 : end - out.byteOffset;
  };

  /** Copies the next `src` and `more` in again, whatever object they are. */
  forgetSource(): void {
    this.lastSrc = undefined;
    this.lastMore = undefined;
  }
}
