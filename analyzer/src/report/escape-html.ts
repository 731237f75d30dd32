const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes the five characters that can open markup or leave an attribute value, so the result is
 * inert both as element text and inside a double- or single-quoted attribute.
 *
 * @example
 * ```ts
 * escapeHtml('"><img onerror=x>'); // '&quot;&gt;&lt;img onerror=x&gt;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}
