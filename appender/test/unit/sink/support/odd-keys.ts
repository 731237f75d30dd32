/** Partition keys that test a body writer's escaping and length heads: quotes, controls, non-ASCII, astral, long. */
export const ODD_PARTITION_KEYS: readonly string[] = [
  'a',
  'user-42',
  'quote"back\\slash',
  'tab\tnew\nline',
  'caf\u00e9',
  '\u{1f4a5}',
  '\u0000\u001f',
  'x'.repeat(256),
];
