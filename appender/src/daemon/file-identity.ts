import type { FileHandle } from 'node:fs/promises';

//   same dev+ino, stored fingerprint is a prefix of the first bytes  → same file (maybe grown)
//   same dev+ino, first bytes differ (or file shorter than offset)   → truncated/refilled, or
//                                                                      a re-used inode: new content
//   other inode, first bytes start with a known fingerprint          → a copy (copytruncate) or
//                                                                      the same content moved

/** Bytes of a file's start that identify its content. */
export const FINGERPRINT_BYTES = 256;

/** Who a file is: where it lives on disk and what it starts with. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** The first min(size, {@link FINGERPRINT_BYTES}) bytes. */
  fingerprint: Buffer;
}

/**
 * Reads the first {@link FINGERPRINT_BYTES} of an open file, into `into` when given (a view of
 * it is returned: copy it to keep it past the next read into the same buffer).
 *
 * @example
 * ```ts
 * const head = await readFingerprint(handle);
 * ```
 */
export async function readFingerprint(
  handle: FileHandle,
  into: Buffer = Buffer.alloc(FINGERPRINT_BYTES),
): Promise<Buffer> {
  const buf = into;
  const { bytesRead } = await handle.read(buf, 0, FINGERPRINT_BYTES, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * Whether content that started with `known` still does: `current` (a fresh read of the first
 * bytes) starts with `known`, or `known` starts with `current` when the file is still short.
 * An empty `known` matches anything (nothing read yet to tell them apart).
 *
 * @example
 * ```ts
 * sameContent(Buffer.from('abc'), Buffer.from('abcdef')); // true: the file grew
 * sameContent(Buffer.from('abc'), Buffer.from('xyz'));    // false: truncated and refilled
 * ```
 */
export function sameContent(known: Buffer, current: Buffer): boolean {
  const n = Math.min(known.length, current.length);
  if (current.length < known.length) return false;
  return known.subarray(0, n).equals(current.subarray(0, n));
}

/**
 * Whether a file that starts with `head` is a copy of content known by `fingerprint`: both
 * non-empty and one a prefix of the other, with at least a line's worth of bytes to go on.
 *
 * @example
 * ```ts
 * isCopyOf(Buffer.from('2024-01-01 line 1\n'), Buffer.from('2024-01-01 line 1\nline 2\n')); // true
 * ```
 */
export function isCopyOf(fingerprint: Buffer, head: Buffer): boolean {
  if (fingerprint.length === 0 || head.length < fingerprint.length) return false;
  return head.subarray(0, fingerprint.length).equals(fingerprint);
}

/** Whether bytes look binary (NUL bytes do not occur in text logs). */
export function looksBinary(head: Buffer): boolean {
  return head.includes(0);
}
