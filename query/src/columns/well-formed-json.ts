const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
const HIGH_FIRST = 0xd800;
const LOW_FIRST = 0xdc00;
const LOW_LAST = 0xdfff;
/** A `\u` escape and its four hex digits: its length in characters. */
const ESCAPE_CHARS = 6;
/** What stands for a lone surrogate: U+FFFD, as a UTF-8 decoder writes for a broken sequence. */
const REPLACEMENT_ESCAPE = '\\ufffd';

/**
 * JSON text with every lone surrogate escape (`\ud800` not followed by a low surrogate's escape,
 * or a low one alone) written as `\ufffd`; other text unchanged, the same string when there is
 * nothing to change. DuckDB's JSON reader refuses a lone surrogate, and a chunk of rows is read
 * as a whole, so one hostile record (`"msg":"\ud800"` is valid JSON, and `JSON.stringify`
 * writes a lone surrogate that way) would otherwise fail the whole table. Surrogate pairs,
 * escaped or not, are kept.
 *
 * @example
 * ```ts
 * wellFormedJson('{"msg":"a\\ud800b"}'); // '{"msg":"a\\ufffdb"}'
 * wellFormedJson('{"msg":"\\ud83d\\ude00"}'); // unchanged: a pair
 * ```
 */
export function wellFormedJson(text: string): string {
  // Most rows hold no \u escape at all: one native search and they are done.
  let from = text.indexOf('\\u');
  if (from < 0) return text;
  let out = '';
  let copied = 0;
  // Walk escapes from the first backslash before `from`'s run, so `\\u` (an escaped backslash
  // then `u`) is told apart from `\u`: a backslash inside a JSON string always starts an escape.
  while (from > 0 && text.charCodeAt(from - 1) === BACKSLASH) from--;
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) !== BACKSLASH) continue;
    if (text.charCodeAt(i + 1) !== LOWER_U) {
      i++; // an escaped character: `\\`, `\"`, `\n` …
      continue;
    }
    const unit = hexUnit(text, i + 2);
    if (unit < HIGH_FIRST || unit > LOW_LAST) {
      i += ESCAPE_CHARS - 1;
      continue;
    }
    if (unit < LOW_FIRST && isLowEscape(text, i + ESCAPE_CHARS)) {
      i += 2 * ESCAPE_CHARS - 1; // a pair
      continue;
    }
    out += text.slice(copied, i) + REPLACEMENT_ESCAPE;
    copied = i + ESCAPE_CHARS;
    i += ESCAPE_CHARS - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isLowEscape(text: string, at: number): boolean {
  if (text.charCodeAt(at) !== BACKSLASH || text.charCodeAt(at + 1) !== LOWER_U) return false;
  const unit = hexUnit(text, at + 2);
  return unit >= LOW_FIRST && unit <= LOW_LAST;
}

/** The code unit of the four hex digits at `at`, or -1. */
function hexUnit(text: string, at: number): number {
  const digits = text.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1;
}

/**
 * `text` with each lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`), the same
 * string when it has none.
 *
 * @example
 * ```ts
 * wellFormedText('k\ud800'); // 'k\ufffd'
 * ```
 */
export function wellFormedText(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}
