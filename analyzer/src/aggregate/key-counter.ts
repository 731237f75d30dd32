import type { EventKind } from '../classify/classify-event.js';
import { detachString } from '../classify/detach-string.js';
import { truncateString } from '../classify/truncate-string.js';

/** Signatures tracked per (region, page); the smallest is replaced when a new one arrives. */
export const SIGNATURES_PER_KEY = 5;
/** An example line is cut to this many characters (a report row must stay small). */
export const MAX_EXAMPLE_CHARS = 320;
/** Largest magnitude `Date` accepts; times outside it are ignored. */
const MAX_TIME_MS = 8.64e15;

/** One tracked signature and its (Space-Saving) count. */
export interface SignatureCount {
  readonly signature: string;
  readonly count: number;
}

/**
 * Everything counted for one (region, page). In bounded mode an instance is recycled when its
 * key is evicted, so the counters start again: `count` then includes the inherited minimum
 * (`overestimate`), while the kind split, signatures, example and times cover only what was seen
 * since the key was (re)admitted. The example of a recycled key is its second line after
 * admission (see `record`); in exact mode it is the key's first line.
 *
 * Memory matters here (there are up to `maxDistinctKeys` of these): signatures are kept as a
 * flat `[signature, count, signature, count, …]` array created at its first use, and strings
 * passed in are expected to be detached already (see `detachString`).
 *
 * @example
 * ```ts
 * const counter = new KeyCounter('EU', '/cart');
 * counter.record('error5xx', '503 Service Unavailable', line, Date.now());
 * ```
 */
export class KeyCounter {
  region: string;
  page: string;
  count = 0;
  /** Count inherited from an evicted key: the most `count` can exceed the true count by. */
  overestimate = 0;
  count5xx = 0;
  count4xx = 0;
  countLevel = 0;
  example = '';
  firstSeenMs = Number.NaN;
  lastSeenMs = Number.NaN;
  /** Position in the bounded-mode heap; -1 while counting is exact. */
  heapIndex = -1;
  private signatureSlots: (string | number)[] | undefined;
  /** Set by `reset`: the next error of the recycled key keeps no example. */
  private examplePending = false;

  constructor(region: string, page: string) {
    this.region = region;
    this.page = page;
  }

  /** Starts over for a new key, keeping `inherited` as the Space-Saving overestimate. */
  reset(region: string, page: string, inherited: number): void {
    this.region = region;
    this.page = page;
    this.count = inherited;
    this.overestimate = inherited;
    this.count5xx = 0;
    this.count4xx = 0;
    this.countLevel = 0;
    this.example = '';
    this.firstSeenMs = Number.NaN;
    this.lastSeenMs = Number.NaN;
    // Emptied, not replaced: evictions happen once per new key and must leave no garbage.
    if (this.signatureSlots !== undefined) this.signatureSlots.length = 0;
    this.examplePending = true;
  }

  /**
   * Counts one error of this key. `intern` returns a detached (shared) copy of a signature; it is
   * called only when a signature is stored, not on every count.
   */
  record(
    kind: EventKind,
    signature: string,
    exampleLine: string | undefined,
    timeMs: number | undefined,
    intern: (signature: string) => string,
  ): void {
    this.count++;
    if (kind === 'error5xx') this.count5xx++;
    else if (kind === 'error4xx') this.count4xx++;
    else this.countLevel++;
    this.countSignature(signature, intern);
    if (this.examplePending) {
      // Admitted by eviction: most such keys are never seen again, and copying a line for each
      // of them would be most of the allocation of a long-tailed stream. The second line is
      // kept instead, once the key has shown it recurs.
      this.examplePending = false;
    } else if (this.example === '' && typeof exampleLine === 'string' && exampleLine !== '') {
      this.example = detachString(truncateString(exampleLine, MAX_EXAMPLE_CHARS));
    }
    if (typeof timeMs === 'number' && Math.abs(timeMs) <= MAX_TIME_MS) {
      if (!(timeMs >= this.firstSeenMs)) this.firstSeenMs = timeMs;
      if (!(timeMs <= this.lastSeenMs)) this.lastSeenMs = timeMs;
    }
  }

  /** The tracked signatures, most frequent first (ties by text, in code-unit order). */
  signatures(): SignatureCount[] {
    const slots = this.signatureSlots ?? [];
    const out: SignatureCount[] = [];
    for (let i = 0; i < slots.length; i += 2) {
      out.push({ signature: slots[i] as string, count: slots[i + 1] as number });
    }
    return out.sort(
      (a, b) =>
        b.count - a.count || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
    );
  }

  private countSignature(signature: string, intern: (signature: string) => string): void {
    const slots = this.signatureSlots;
    if (slots === undefined || slots.length === 0) {
      if (slots === undefined) this.signatureSlots = [intern(signature), 1];
      else slots.push(intern(signature), 1);
      return;
    }
    let min = -1;
    for (let i = 0; i < slots.length; i += 2) {
      if (slots[i] === signature) {
        slots[i + 1] = (slots[i + 1] as number) + 1;
        return;
      }
      if (min < 0 || (slots[i + 1] as number) < (slots[min + 1] as number)) min = i;
    }
    if (slots.length < 2 * SIGNATURES_PER_KEY) {
      slots.push(intern(signature), 1);
    } else {
      // Space-Saving: the newcomer takes the smallest slot and its count, plus one.
      slots[min] = intern(signature);
      slots[min + 1] = (slots[min + 1] as number) + 1;
    }
  }
}
