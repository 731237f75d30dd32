/**
 * Terminal columns `text` takes: wide East Asian and emoji code points count 2, combining marks
 * and variation selectors 0, everything else 1. Assumes {@link displayText} already replaced
 * control characters.
 *
 * @example
 * ```ts
 * displayWidth('日本'); // 4
 * displayWidth('e\u0301'); // 1
 * ```
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0) ?? 0);
  return width;
}

/**
 * Columns one code point takes in a terminal (0, 1 or 2).
 *
 * @example
 * ```ts
 * codePointWidth(0x4e00); // 2
 * ```
 */
export function codePointWidth(cp: number): number {
  if (
    (cp >= 0x0300 && cp <= 0x036f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xfe20 && cp <= 0xfe2f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  ) {
    return 0;
  }
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * Cuts `text` to at most `columns` terminal columns, ending with `…` when cut.
 *
 * @example
 * ```ts
 * fitWidth('abcdef', 4); // 'abc…'
 * ```
 */
export function fitWidth(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = codePointWidth(ch.codePointAt(0) ?? 0);
    if (width + w > columns - 1) break;
    out += ch;
    width += w;
  }
  return columns >= 1 ? out + '…' : '';
}

/**
 * Pads `text` with spaces to `columns` terminal columns, on the right or (numbers) the left.
 *
 * @example
 * ```ts
 * padWidth('42', 5, 'right'); // '   42'
 * ```
 */
export function padWidth(text: string, columns: number, align: 'left' | 'right' = 'left'): string {
  const pad = ' '.repeat(Math.max(0, columns - displayWidth(text)));
  return align === 'left' ? text + pad : pad + text;
}
