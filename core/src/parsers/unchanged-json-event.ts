/*
 *   JSON.parse(line) ─▶ normalizeParsed ─┬─ nothing to change ─▶ stamped: still exactly the parse of its line
 *                                        └─ a field moved or rewritten ─▶ not stamped
 * The stamp is a private field: invisible to JSON.stringify, Object.keys, spreading, deep
 * equality and structuredClone (a copy is never stamped), and costs about nothing to add.
 */

/** A base whose constructor returns the object it is given, so a subclass's field lands on it. */
class OnTarget {
  constructor(target: object) {
    return target;
  }
}

class UnchangedStamp extends OnTarget {
  readonly #unchanged = true;

  static isOn(value: object): boolean {
    return #unchanged in value;
  }
}

/**
 * Stamps an event that core's JSON normalization left exactly as `JSON.parse` made it.
 * Only for objects `JSON.parse` made from the event's line.
 */
export function stampUnchanged(event: object): void {
  new UnchangedStamp(event);
}

/**
 * Whether `event` is exactly what `JSON.parse` made of its line: core's JSON parser found
 * nothing to normalize (time already ISO UTC, level already lowercase, no alias moved, ...).
 * A consumer that needs the event as text may then use the line itself instead of
 * serializing the event again. An event changed after parsing must not be passed on with
 * that line; copies (`{ ...event }`) are never stamped.
 *
 * @example
 * ```ts
 * const line = '{"level":"error","msg":"boom"}';
 * isUnchangedJsonEvent(normalizeJsonEvent(JSON.parse(line), line)); // true
 * isUnchangedJsonEvent(normalizeJsonEvent(JSON.parse('{"level":50}'), '{"level":50}')); // false
 * ```
 */
export function isUnchangedJsonEvent(event: object): boolean {
  return UnchangedStamp.isOn(event);
}
