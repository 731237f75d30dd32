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
  signature: string;
  count: number;
}

/**
 * Everything counted for one (region, page). In bounded mode an instance is recycled when its
 * key is evicted, so the counters start again: `count` then includes the inherited minimum
 * (`overestimate`), while the kind split, signatures, example and times cover only what was seen
 * since the key was (re)admitted.
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
  readonly signatures: SignatureCount[] = [];

  constructor(region: string, page: string) {
    this.region = detachString(region);
    this.page = detachString(page);
  }

  /** Starts over for a new key, keeping `inherited` as the Space-Saving overestimate. */
  reset(region: string, page: string, inherited: number): void {
    this.region = detachString(region);
    this.page = detachString(page);
    this.count = inherited;
    this.overestimate = inherited;
    this.count5xx = 0;
    this.count4xx = 0;
    this.countLevel = 0;
    this.example = '';
    this.firstSeenMs = Number.NaN;
    this.lastSeenMs = Number.NaN;
    this.signatures.length = 0;
  }

  /** Counts one error of this key. */
  record(
    kind: EventKind,
    signature: string,
    exampleLine: string | undefined,
    timeMs: number | undefined,
  ): void {
    this.count++;
    if (kind === 'error5xx') this.count5xx++;
    else if (kind === 'error4xx') this.count4xx++;
    else this.countLevel++;
    this.countSignature(signature);
    if (this.example === '' && typeof exampleLine === 'string' && exampleLine !== '') {
      this.example = detachString(truncateString(exampleLine, MAX_EXAMPLE_CHARS));
    }
    if (typeof timeMs === 'number' && Math.abs(timeMs) <= MAX_TIME_MS) {
      if (!(timeMs >= this.firstSeenMs)) this.firstSeenMs = timeMs;
      if (!(timeMs <= this.lastSeenMs)) this.lastSeenMs = timeMs;
    }
  }

  private countSignature(signature: string): void {
    const signatures = this.signatures;
    let min: SignatureCount | undefined;
    for (const tracked of signatures) {
      if (tracked.signature === signature) {
        tracked.count++;
        return;
      }
      if (min === undefined || tracked.count < min.count) min = tracked;
    }
    if (signatures.length < SIGNATURES_PER_KEY) {
      signatures.push({ signature: detachString(signature), count: 1 });
    } else if (min !== undefined) {
      // Space-Saving: the newcomer takes the smallest slot and its count, plus one.
      min.signature = detachString(signature);
      min.count++;
    }
  }
}
