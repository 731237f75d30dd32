/** V8 keeps substrings of 13+ characters as views into their parent; below that it copies. */
const SLICED_STRING_MIN_CHARS = 13;

/**
 * Returns a copy of `s` that shares no memory with the string it was cut from. V8 represents
 * `slice`/`trim` results as views into the parent, so keeping a 100-character excerpt of a 1 MB
 * record would keep the whole record alive; anything retained for the length of an iteration
 * (keys, signatures, examples) goes through here once, when it is first stored.
 *
 * The copy is made inside the JS heap, and is flat: `s` cut in two and joined again makes a rope
 * of its two pieces, and the first read of the rope copies them into one fresh string, which
 * the rope points to from then on (the pieces, views of the parent, are dropped). Prepending a
 * character and slicing it off again made a copy too, but a view of it: comparing a string
 * with such a view cost about 7 times as much as with a flat one, and the recent-key and
 * recent-signature tables of counting compare with what they stored on every error.
 *
 * @example
 * ```ts
 * const example = detachString(line.slice(0, 320));
 * ```
 */
export function detachString(s: string): string {
  if (s.length < SLICED_STRING_MIN_CHARS) return s;
  const rope = s.slice(0, 1) + s.slice(1);
  // A read of a rope of two pieces flattens it (V8): the copy is made here, not at first use.
  rope.charCodeAt(0);
  return rope;
}
