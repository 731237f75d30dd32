/*
 * Log text → text safe to show on one line anywhere (terminal, HTML cell, mail subject):
 *
 *   lone surrogate ─▶ U+FFFD       C0/DEL/C1 control ─▶ \n \r \t or \u001b
 *   bidi override/isolate, zero-width, line/paragraph separator ─▶ \u202e …
 *   longer than maxChars ─▶ cut on a code point boundary + "…"
 *
 * Escapes are visible, so a reader sees that something odd was in the log instead of having it
 * silently reorder or hide the text around it.
 */

/** Default and bounds of {@link displayText}. */
export const DisplayTextLimits = {
  /** Most characters a cell shows unless told otherwise. */
  DEFAULT_MAX_CHARS: 120,
  /** The mark appended to cut text. */
  ELLIPSIS: '…',
} as const;

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

/** Code points that change layout or hide themselves: shown as a `\u` escape of four hex digits. */
function isInvisibleFormat(cp: number): boolean {
  return (
    cp === 0x00ad || // soft hyphen
    cp === 0x061c || // Arabic letter mark
    cp === 0x180e || // Mongolian vowel separator
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, LRM, RLM
    (cp >= 0x2028 && cp <= 0x202e) || // line/paragraph separators, bidi embeddings/overrides
    (cp >= 0x2060 && cp <= 0x206f) || // word joiner, invisible operators, bidi isolates
    cp === 0xfeff || // zero-width no-break space (BOM)
    (cp >= 0xfff9 && cp <= 0xfffb) // interlinear annotation
  );
}

function isControl(cp: number): boolean {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

function escapeCodePoint(cp: number): string {
  return SHORT_ESCAPES[cp] ?? `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * Makes `text` safe to show on one line: control, bidi and zero-width characters become visible
 * escapes, lone surrogates become U+FFFD, and text longer than `maxChars` (counted after
 * escaping) is cut with an ellipsis. HTML escaping is a separate, later step.
 *
 * @example
 * ```ts
 * displayText('a\u202eb\nc', 20); // 'a\\u202eb\\nc'
 * displayText('x'.repeat(500), 10); // 'xxxxxxxxx…'
 * ```
 */
export function displayText(
  text: string,
  maxChars: number = DisplayTextLimits.DEFAULT_MAX_CHARS,
): string {
  const pieces: string[] = [];
  let length = 0;
  // Stops as soon as the text is known to be too long: a 1 MB line costs maxChars steps.
  for (let i = 0; i < text.length && length <= maxChars; i++) {
    const cp = text.charCodeAt(i);
    let piece: string;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        piece = text.slice(i, i + 2);
        i++;
      } else piece = '\ufffd';
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      piece = '\ufffd';
    } else if (isControl(cp) || isInvisibleFormat(cp)) {
      piece = escapeCodePoint(cp);
    } else {
      piece = text[i] ?? '';
    }
    pieces.push(piece);
    length += piece.length;
  }
  if (length <= maxChars) return pieces.join('');
  const room = maxChars - DisplayTextLimits.ELLIPSIS.length;
  while (pieces.length > 0 && length > room) length -= pieces.pop()?.length ?? 0;
  return pieces.join('') + DisplayTextLimits.ELLIPSIS;
}
