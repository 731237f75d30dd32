import { Buffer } from 'node:buffer';
/**
 * Version of the masking rules below. Signatures made under different versions are not
 * comparable, so reports carry it and a comparison across versions can be refused.
 */
export const SIGNATURE_RULES_VERSION = 1;

/** Bounds of a signature. */
export const SignatureLimits = {
  /** Only this much of a message is masked; the rest cannot change the (truncated) result much. */
  MAX_INPUT_CHARS: 512,
  /** A signature is cut to this many characters after masking. */
  MAX_SIGNATURE_CHARS: 120,
} as const;

/** The signature of a record with an empty or missing message. */
export const EMPTY_SIGNATURE = '(empty)';

/** The placeholders that replace the variable parts of a message. */
export const SignatureMasks = {
  number: '<n>',
  uuid: '<uuid>',
  hex: '<hex>',
  ip: '<ip>',
  email: '<email>',
  string: '"<str>"',
} as const;

/*
 * One pass, one regex: at each position the alternatives are tried in this order, so an email
 * wins over the numbers inside it, a UUID over its hex groups, an address over its numbers.
 *
 *   1 email     local@domain.tld           (only at a token start: linear on long words)
 *   2 uuid      8-4-4-4-12 hex
 *   3 ipv6      candidate with 2–7 colons, optional [..], %zone, :port, embedded IPv4;
 *               checked in code: needs "::" or exactly 7 colons, so "10:20:30" is not one
 *   4 ipv4      a.b.c.d with optional :port
 *   5 hex       0x… or 8+ hex digits (kept when it has no decimal digit: "deadbeef" is a word
 *               as often as an id; all digits is a number)
 *   6 number    digits with . or , groups (1,234.5 and 1.2.3 are one number)
 *   7 string    "double-quoted" (user data, usually); 'single quotes' are kept: in Node's own
 *               messages they hold identifiers and paths (reading 'foo'), and they are
 *               apostrophes in prose
 *   8 space     a run of 2+ whitespace or any tab/newline: collapsed to one space
 */
const MASK_RULES = new RegExp(
  [
    String.raw`((?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)`,
    String.raw`(\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)`,
    String.raw`((?<![\w:.\]])\[?(?:[0-9a-fA-F]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F]{0,4})(?:%[\w.]+)?(?:\](?::\d{1,5})?)?)`,
    String.raw`((?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\d))`,
    String.raw`(\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}\b)`,
    String.raw`(\d+(?:[.,]\d+)*)`,
    String.raw`("(?:[^"\\\r\n]|\\.){0,256}")`,
    String.raw`(\s{2,}|[^\S ])`,
  ].join('|'),
  'y',
);

const HAS_DECIMAL_DIGIT = /\d/;
const HEX_LETTER = /[a-fA-F]/;
const HEX_DIGIT = /[0-9a-fA-F]/;
const NUMBERS = /\d+(?:[.,]\d+)*/g;

/**
 * The signature of a log message: the message with its variable parts masked, so that
 * `timeout after 3012ms on 10.0.0.7:5432` and `timeout after 87ms on 10.0.0.9:5432` count as one
 * problem, `timeout after <n>ms on <ip>`. Rules (version {@link SIGNATURE_RULES_VERSION}):
 * emails → `<email>`, UUIDs → `<uuid>`, IPv4/IPv6 addresses with an optional port → `<ip>`,
 * `0x…` and 8+ digit hex with a decimal digit → `<hex>`, numbers → `<n>`, double-quoted strings
 * → `"<str>"`; whitespace runs collapse to one space, ends are trimmed, and the result is cut to
 * {@link SignatureLimits.MAX_SIGNATURE_CHARS}. A missing, non-string or blank message is
 * {@link EMPTY_SIGNATURE}. The text is never interpreted: `<script>` stays `<script>`.
 *
 * @example
 * ```ts
 * messageSignature('user 42 failed from 10.0.0.7:5432 id=550e8400-e29b-41d4-a716-446655440000');
 * // 'user <n> failed from <ip> id=<uuid>'
 * ```
 */
export function messageSignature(message: unknown): string {
  if (typeof message !== 'string') return EMPTY_SIGNATURE;
  const input =
    message.length > SignatureLimits.MAX_INPUT_CHARS
      ? message.slice(0, SignatureLimits.MAX_INPUT_CHARS)
      : message;
  // The scan reads code units from a typed array, written in one native call: reading each
  // with charCodeAt cost about a fifth of masking a message.
  sourceBytes.write(input, 0, 'utf16le');
  sourceUnits[input.length] = SOURCE_END;
  let length = maskVariableParts(input, ENOUGH_MASKED_UNITS);
  const units = maskedUnits;
  // String.prototype.trim, then truncateString, on the code units.
  let start = 0;
  let end = length;
  while (start < end && isSpace(units[start]!)) start++;
  while (end > start && isSpace(units[end - 1]!)) end--;
  if (maskStoppedEarly && end - start <= SignatureLimits.MAX_SIGNATURE_CHARS) {
    // Too little kept of what was masked (a run of spaces at an end): the whole message.
    length = maskVariableParts(input, Number.POSITIVE_INFINITY);
    start = 0;
    end = length;
    while (start < end && isSpace(units[start]!)) start++;
    while (end > start && isSpace(units[end - 1]!)) end--;
  }
  if (start === end) return EMPTY_SIGNATURE;
  if (end - start > SignatureLimits.MAX_SIGNATURE_CHARS) {
    end = start + SignatureLimits.MAX_SIGNATURE_CHARS;
    const last = units[end - 1]!;
    if (last >= 0xd800 && last <= 0xdbff) end--;
  }
  let hash = maskedHash;
  if (start !== 0 || end !== length) {
    hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ units[i]!, FNV_PRIME);
  }
  return internedSignature(units, start, end, hash);
}

/*
 *   message ──scan──▶ maskedUnits (code units, reused), and their hash
 *           ──trim, cut──▶ [start, end) ──hash──▶ slot ──same units?──▶ its string
 *                                                       └─no──▶ new string, kept there
 *
 * Messages with a user or request id in them never repeat, but their signatures do: building
 * each signature as a new string (slices, joins, trim) and hashing it again when it is counted
 * cost about as much as finding the masks. The masked text is written as code units instead,
 * and a string is made only when the slot of its hash does not hold the same text already
 * (compared unit by unit, so a collision only costs a new string). Counting then meets the
 * same string object again and again, which it compares by reference.
 */

/**
 * Code units of a masked message: masks can be longer than what they replace, at most 3.5 times
 * (`""` → `"<str>"`; a digit → `<n>`).
 */
const MAX_MASK_GROWTH = 4;
const maskedUnits = new Uint16Array(SignatureLimits.MAX_INPUT_CHARS * MAX_MASK_GROWTH);
/**
 * The code units of the message being masked (`input.charCodeAt(i)` is `sourceUnits[i]` for
 * every i below its length), and one more: {@link SOURCE_END} after its last.
 */
const sourceUnits = new Uint16Array(SignatureLimits.MAX_INPUT_CHARS + 1);
const sourceBytes = Buffer.from(sourceUnits.buffer, sourceUnits.byteOffset, sourceUnits.byteLength);
/**
 * What the scan reads one past the end (charCodeAt's NaN there): a unit no test of the scan
 * takes for a digit, letter, space or any of its punctuation, as NaN is taken for none.
 */
const SOURCE_END = 0;
/** FNV-1a of the code units the last scan wrote. */
let maskedHash = 0;
/** Whether the last scan stopped before the end of its message (see ENOUGH_MASKED_UNITS). */
let maskStoppedEarly = false;

/*
 * A long message (a stack trace, a dump) is masked only as far as its signature can reach: the
 * scan goes left to right and what it writes never depends on what comes after, so the units it
 * wrote when it stops are those the whole scan would have started with. Once they hold more than
 * MAX_SIGNATURE_CHARS units between their trimmed ends, the signature is cut inside them, where
 * the whole masked text would have been cut: its start is trimmed alike (they hold a non-space
 * unit), and its trimmed end lies at or past theirs. Otherwise the whole message is scanned.
 */
const ENOUGH_MASKED_UNITS = SignatureLimits.MAX_SIGNATURE_CHARS + 8;

/** Signatures kept by the hash of their text: a power of two; about 2 MB at most, with their units. */
const INTERNED_SLOTS = 4096;
const interned = new Array<string | undefined>(INTERNED_SLOTS).fill(undefined);
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** The code units of each kept signature, at slot × MAX_SIGNATURE_CHARS: faster to compare. */
const internedUnits = new Uint16Array(INTERNED_SLOTS * SignatureLimits.MAX_SIGNATURE_CHARS);
/** Length of each kept signature; 0 for an empty slot (a signature is never empty). */
const internedLengths = new Uint16Array(INTERNED_SLOTS);

/** The same arrays, two code units at a time. */
const maskedPairs = new Int32Array(maskedUnits.buffer);
const internedPairs = new Int32Array(internedUnits.buffer);

/** Whether maskedUnits[start, start + length) equals internedUnits[at, at + length). */
function sameUnits(units: Uint16Array, start: number, at: number, length: number): boolean {
  let i = 0;
  if (((start | at) & 1) === 0) {
    // Most signatures start at the first unit: compared a pair at a time.
    const pairs = length >> 1;
    const from = start >> 1;
    const to = at >> 1;
    for (; i < pairs; i++) if (maskedPairs[from + i] !== internedPairs[to + i]) return false;
    i = pairs * 2;
  }
  for (; i < length; i++) if (internedUnits[at + i] !== units[start + i]) return false;
  return true;
}

function internedSignature(units: Uint16Array, start: number, end: number, hash: number): string {
  const slot = (hash ^ (hash >>> 16)) & (INTERNED_SLOTS - 1);
  const length = end - start;
  const at = slot * SignatureLimits.MAX_SIGNATURE_CHARS;
  if (internedLengths[slot] === length && sameUnits(units, start, at, length)) {
    return interned[slot]!;
  }
  // At most MAX_SIGNATURE_CHARS arguments: far below any engine's limit.
  const made = String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
  internedUnits.set(units.subarray(start, end), at);
  internedLengths[slot] = length;
  interned[slot] = made;
  return made;
}

/*
 * The same as `input.replace(globalRules, maskMatch)`, but the rules are only tried where one
 * of them can start (a global replace tries all eight at every character, and most characters
 * are inside words). From what each rule needs at its first character:
 *
 *   digit, '"', '[', ':', whitespace ─────────────────────────────── always tried
 *   hex letter, not after a word character ──────────────────────── uuid, hex, ipv6
 *   other word character or . + -, not after a word character ───── email: only if there is an '@'
 *   ' ' ──────────────────────────────────────────────────────────── only before more whitespace
 *   anything else ────────────────────────────────────────────────── never starts a match
 *
 * Lookbehinds and \b see the original text in both, and a match resumes the scan at its end,
 * as the global replace does, so the result is the same (a unit test checks it on random text).
 *
 * Each character that stays is written (and hashed) as the scan passes it, so the text between
 * masks is read once: copying it afterwards, a second pass over most of the message, cost about
 * a fifth of masking one.
 */
function maskVariableParts(input: string, stopAfterUnits: number): number {
  const hasAt = input.includes('@');
  const out = maskedUnits;
  let written = 0;
  let hash = FNV_OFFSET;
  let i = 0;
  const length = input.length;
  maskStoppedEarly = false;
  while (i < length) {
    if (written >= stopAfterUnits) {
      maskStoppedEarly = true;
      break;
    }
    const code = sourceUnits[i]!;
    if (code < FIRST_NON_ASCII) {
      // Most characters are letters inside words, or punctuation no rule starts with: kept
      // here by their kind alone, before the full test.
      const kind = ASCII_KINDS[code];
      if (kind === KIND_INERT) {
        out[written++] = code;
        hash = Math.imul(hash ^ code, FNV_PRIME);
        i++;
        continue;
      }
      if (code === CHAR_SPACE) {
        // A single space (most of them) is kept: only a run of whitespace is masked.
        if (i + 1 >= length || !isSpace(sourceUnits[i + 1]!)) {
          out[written++] = code;
          hash = Math.imul(hash ^ code, FNV_PRIME);
          i++;
          continue;
        }
      }
      if (
        kind === KIND_LETTER &&
        ((i > 0 && isWordChar(sourceUnits[i - 1]!)) ||
          (!hasAt && (!isHexLetter(code) || !mayBeHexOrAddress(input, i))))
      ) {
        // This letter, and every letter right after it (inside the word), starts nothing: a
        // hex letter at a word start only starts a UUID, hex or IPv6 (mayBeHexOrAddress).
        out[written++] = code;
        hash = Math.imul(hash ^ code, FNV_PRIME);
        for (i++; i < length; i++) {
          const next = sourceUnits[i]!;
          if (next >= FIRST_NON_ASCII || ASCII_KINDS[next] !== KIND_LETTER) break;
          out[written++] = next;
          hash = Math.imul(hash ^ next, FNV_PRIME);
        }
        continue;
      }
    }
    const mask = maskAt(input, i, code, hasAt);
    if (mask === undefined) {
      out[written++] = code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
      i++;
      continue;
    }
    for (let k = 0; k < mask.length; k++) {
      const unit = mask.charCodeAt(k);
      out[written++] = unit;
      hash = Math.imul(hash ^ unit, FNV_PRIME);
    }
    i = maskEnd;
  }
  maskedHash = hash;
  return written;
}

/** Where the text {@link maskAt} masked last ends. */
let maskEnd = 0;

/**
 * The mask of the rule that matches at `i` (its end in {@link maskEnd}), or `undefined` when
 * none does and the character at `i` stays.
 */
function maskAt(input: string, i: number, code: number, hasAt: boolean): string | undefined {
  if (!hasAt && isDigit(code)) return digitMaskAt(input, i);
  if (!mayStartMask(input, i, hasAt)) return undefined;
  let mask: string = SignatureMasks.number;
  let end = -1;
  if (isDigit(code)) {
    end = plainNumberEnd(input, i, hasAt);
    if (end < 0 && !hasAt) {
      end = ipv4End(input, i);
      mask = SignatureMasks.ip;
    }
  } else if (!hasAt && isHexLetter(code) && !mayBeHexOrAddress(input, i)) {
    return undefined;
  }
  if (end < 0 && !hasAt && isHexDigit(code)) {
    end = uuidEnd(input, i);
    mask = SignatureMasks.uuid;
  }
  if (end < 0) return ruleMaskAt(input, i);
  maskEnd = end;
  return mask;
}

/** The mask of the rule the one regex finds at `i` (its end in {@link maskEnd}), if any. */
function ruleMaskAt(input: string, i: number): string | undefined {
  MASK_RULES.lastIndex = i;
  const m = MASK_RULES.exec(input);
  if (m === null) return undefined;
  maskEnd = i + m[0].length;
  return maskMatch(m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]);
}

/*
 * maskAt at a digit of a message without '@', in one look at what follows the digits instead
 * of trying plainNumberEnd, ipv4End and uuidEnd in turn (each reading the digits again). The
 * same answers, from what each rule needs right after the run of digits [i, end):
 *
 *   nothing, or none of [\w.,:+-] ─────────────────────▶ <n> (plainNumberEnd's first case)
 *   '.' ─▶ ipv4End; ',' ':' or '.' without an address ─▶ the regex: a UUID needs hex digits
 *          up to its '-' at i + 8, and the run ends before, at or after i + 8 in a non-hex
 *          character, the '.', ',' or ':' itself, or a digit
 *   "0x" ────────────────────────────────────────────────▶ the regex ('x' is no hex digit, no '.')
 *   8+ hex digits ─▶ a UUID only when exactly 8 end in '-' (uuidEnd), else the regex
 *   ≤ 4 hex digits then ':' ─────────────────────────────▶ the regex (an IPv6 candidate)
 *   anything else (a word character, '+', '-') ──────────▶ <n>
 *
 * An address never starts where the run is followed by anything but '.' (ipv4End needs one
 * after at most 3 digits), so it is only tried there.
 */
function digitMaskAt(input: string, i: number): string | undefined {
  const length = input.length;
  let end = i + 1;
  while (end < length && isDigit(sourceUnits[end]!)) end++;
  if (end === length) {
    maskEnd = end;
    return SignatureMasks.number;
  }
  const next = sourceUnits[end]!;
  if (next === CHAR_DOT || next === CHAR_COMMA || next === CHAR_COLON) {
    if (next === CHAR_DOT) {
      const address = ipv4End(input, i);
      if (address >= 0) {
        maskEnd = address;
        return SignatureMasks.ip;
      }
    }
    return ruleMaskAt(input, i);
  }
  if (!isWordChar(next) && next !== CHAR_PLUS && next !== CHAR_MINUS) {
    maskEnd = end;
    return SignatureMasks.number;
  }
  if (end === i + 1 && sourceUnits[i]! === CHAR_0 && (next | 0x20) === CHAR_LOWER_X) {
    return ruleMaskAt(input, i);
  }
  let hexEnd = end;
  while (hexEnd < length && isHexDigit(sourceUnits[hexEnd]!)) hexEnd++;
  const run = hexEnd - i;
  if (run >= MIN_HEX_RUN) {
    if (run === UUID_DASHES[0] && sourceUnits[hexEnd]! === CHAR_MINUS) {
      const uuid = uuidEnd(input, i);
      if (uuid >= 0) {
        maskEnd = uuid;
        return SignatureMasks.uuid;
      }
    }
    return ruleMaskAt(input, i);
  }
  if (run <= MAX_IPV6_GROUP && sourceUnits[hexEnd]! === CHAR_COLON) {
    return ruleMaskAt(input, i);
  }
  maskEnd = end;
  return SignatureMasks.number;
}

/*
 * Shortcuts for the commonest tokens, each taken only where the rules could only agree:
 * - digits followed by none of [\w.,:+-@] (or by nothing): no email ('@'), UUID ('-'),
 *   address ('.', ':') or longer number ('.', ','); all-digit hex masks to <n> too;
 * - in a message without '@' (so no email anywhere), digits followed by a word character, '+'
 *   or '-' ("250ms", "2024-05-01"): a number, unless 8+ hex digits start there (UUID, hex), a
 *   ':' follows at most 4 of them (IPv6), or they are the 0 of "0x";
 * - in a message without '@', an IPv4 address (rule 4 at a place where rules 1–3 cannot match:
 *   its groups are too short for a UUID and end in '.', not ':') and a UUID (rule 2);
 * - a word starting with a hex letter, in a message without '@': unless a run of 8+ hex digits
 *   (UUID, hex) or a ':' after at most 4 of them (IPv6) starts there, nothing does.
 */
function plainNumberEnd(input: string, start: number, hasAt: boolean): number {
  let end = start + 1;
  while (end < input.length && isDigit(sourceUnits[end]!)) end++;
  if (end === input.length) return end;
  const next = sourceUnits[end]!;
  if (next === CHAR_DOT || next === CHAR_COMMA || next === CHAR_COLON || next === CHAR_AT) {
    return -1;
  }
  if (!isWordChar(next) && next !== CHAR_PLUS && next !== CHAR_MINUS) return end;
  if (hasAt) return -1;
  if (end === start + 1 && sourceUnits[start]! === CHAR_0 && (next | 0x20) === CHAR_LOWER_X) {
    return -1;
  }
  let hexEnd = end;
  while (hexEnd < input.length && isHexDigit(sourceUnits[hexEnd]!)) hexEnd++;
  const run = hexEnd - start;
  if (run >= MIN_HEX_RUN) return -1;
  if (run <= MAX_IPV6_GROUP && sourceUnits[hexEnd]! === CHAR_COLON) return -1;
  return end;
}

/** Groups of an IPv4 address, digits in a group, digits of a port (rule 4). */
const IPV4_GROUPS = 4;
const MAX_IPV4_GROUP_DIGITS = 3;
const MAX_PORT_DIGITS = 5;

/** End of the IPv4 address (with its port) rule 4 matches at `start`, or -1. */
function ipv4End(input: string, start: number): number {
  if (start > 0) {
    const before = sourceUnits[start - 1]!;
    if (isWordChar(before) || before === CHAR_DOT) return -1;
  }
  let pos = start;
  for (let group = 0; group < IPV4_GROUPS; group++) {
    const digits = digitRunEnd(input, pos) - pos;
    if (digits === 0 || digits > MAX_IPV4_GROUP_DIGITS) return -1;
    pos += digits;
    if (group < IPV4_GROUPS - 1) {
      if (sourceUnits[pos]! !== CHAR_DOT) return -1;
      pos++;
    }
  }
  // (?::\d{1,5})?(?!\d): a port of 1 to 5 digits, or none when the port is longer.
  if (sourceUnits[pos]! === CHAR_COLON) {
    const portDigits = digitRunEnd(input, pos + 1) - (pos + 1);
    if (portDigits >= 1 && portDigits <= MAX_PORT_DIGITS) return pos + 1 + portDigits;
  }
  return pos;
}

/** Lengths of the hex groups of a UUID (rule 2), joined by '-'. */
const UUID_GROUPS = [8, 4, 4, 4, 12] as const;

/** Characters of a UUID, and where its dashes are (after each group of UUID_GROUPS). */
const UUID_CHARS = 36;
const UUID_DASHES = [8, 13, 18, 23] as const;

/** End of the UUID rule 2 matches at `start`, or -1. */
function uuidEnd(input: string, start: number): number {
  if (start > 0 && isWordChar(sourceUnits[start - 1]!)) return -1;
  // The dashes first: most runs of hex digits are not UUIDs, and this turns them down at once.
  if (start + UUID_CHARS > input.length) return -1;
  for (const dash of UUID_DASHES) if (sourceUnits[start + dash]! !== CHAR_MINUS) return -1;
  let pos = start;
  for (let group = 0; group < UUID_GROUPS.length; group++) {
    if (group > 0) pos++; // its dash, checked above
    const end = pos + UUID_GROUPS[group]!;
    for (; pos < end; pos++) if (!isHexDigit(sourceUnits[pos]!)) return -1;
  }
  return pos < input.length && isWordChar(sourceUnits[pos]!) ? -1 : pos;
}

function digitRunEnd(input: string, start: number): number {
  let end = start;
  while (end < input.length && isDigit(sourceUnits[end]!)) end++;
  return end;
}

/** UUIDs and hex need 8 hex digits in a row. */
const MIN_HEX_RUN = 8;
/** An IPv6 group has at most 4 hex digits before its ':'. */
const MAX_IPV6_GROUP = 4;

function mayBeHexOrAddress(input: string, start: number): boolean {
  let end = start + 1;
  while (end < input.length && isHexDigit(sourceUnits[end]!)) end++;
  const run = end - start;
  return run >= MIN_HEX_RUN || (run <= MAX_IPV6_GROUP && sourceUnits[end]! === CHAR_COLON);
}

function isHexDigit(code: number): boolean {
  return code < FIRST_NON_ASCII && HEX_DIGITS[code] === 1;
}

const CHAR_SPACE = 0x20;
const CHAR_COMMA = 0x2c;
const CHAR_AT = 0x40;
const CHAR_QUOTE = 0x22;
const CHAR_PLUS = 0x2b;
const CHAR_MINUS = 0x2d;
const CHAR_DOT = 0x2e;
const CHAR_COLON = 0x3a;
const CHAR_OPEN_BRACKET = 0x5b;
const CHAR_UNDERSCORE = 0x5f;
const CHAR_0 = 0x30;
const CHAR_LOWER_X = 0x78;
const FIRST_NON_ASCII = 0x80;

/** Kinds of ASCII characters for the scan's first test (see maskVariableParts). */
const KIND_OTHER = 0;
/** Never starts a mask, wherever it is: not a digit, word character, whitespace, or " [ : . + - */
const KIND_INERT = 1;
/** A letter or `_`: starts nothing inside a word. */
const KIND_LETTER = 2;
const ASCII_KINDS = Uint8Array.from({ length: FIRST_NON_ASCII }, (_, code) => {
  if (isDigit(code) || isSpace(code)) return KIND_OTHER;
  if (isWordChar(code)) return KIND_LETTER;
  const mayStart = [CHAR_QUOTE, CHAR_OPEN_BRACKET, CHAR_COLON, CHAR_DOT, CHAR_PLUS, CHAR_MINUS];
  return mayStart.includes(code) ? KIND_OTHER : KIND_INERT;
});

/** 1 for the ASCII hex digits, by code: one look-up instead of three ranges. */
const HEX_DIGITS = Uint8Array.from({ length: FIRST_NON_ASCII }, (_, code) =>
  isDigit(code) || isHexLetter(code) ? 1 : 0,
);

function mayStartMask(input: string, i: number, hasAt: boolean): boolean {
  const code = sourceUnits[i]!;
  if (isDigit(code)) return true;
  if (code === CHAR_SPACE) return i + 1 < input.length && isSpace(sourceUnits[i + 1]!);
  if (code === CHAR_QUOTE || code === CHAR_OPEN_BRACKET || code === CHAR_COLON) return true;
  if (isSpace(code)) return true;
  const wordStart = i === 0 || !isWordChar(sourceUnits[i - 1]!);
  if (!wordStart) return false;
  if (isHexLetter(code)) return true;
  return (
    hasAt && (isWordChar(code) || code === CHAR_DOT || code === CHAR_PLUS || code === CHAR_MINUS)
  );
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66;
}

/** `\w` without the `u` flag: ASCII letters, digits and `_`. */
function isWordChar(code: number): boolean {
  const lower = code | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || isDigit(code) || code === CHAR_UNDERSCORE;
}

/** `\s`: ASCII whitespace and line ends, and the Unicode spaces, BOM and separators. */
function isSpace(code: number): boolean {
  if (code < FIRST_NON_ASCII) return code === CHAR_SPACE || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function maskMatch(
  match: string,
  email: string | undefined,
  uuid: string | undefined,
  ipv6: string | undefined,
  ipv4: string | undefined,
  hex: string | undefined,
  num: string | undefined,
  quoted: string | undefined,
): string {
  if (num !== undefined) return SignatureMasks.number;
  if (hex !== undefined) {
    if (match.charCodeAt(1) === 0x78 || match.charCodeAt(1) === 0x58) return SignatureMasks.hex;
    if (!HEX_LETTER.test(match)) return SignatureMasks.number;
    return HAS_DECIMAL_DIGIT.test(match) ? SignatureMasks.hex : match;
  }
  if (ipv4 !== undefined) return SignatureMasks.ip;
  if (ipv6 !== undefined) return isIpv6(match) ? SignatureMasks.ip : match.replace(NUMBERS, '<n>');
  if (uuid !== undefined) return SignatureMasks.uuid;
  if (email !== undefined) return SignatureMasks.email;
  if (quoted !== undefined) return SignatureMasks.string;
  return ' ';
}

function isIpv6(candidate: string): boolean {
  if (!HEX_DIGIT.test(candidate)) return false;
  const close = candidate.indexOf(']');
  const address = close >= 0 ? candidate.slice(0, close) : candidate;
  if (address.includes('::')) return true;
  let colons = 0;
  for (let i = 0; i < address.length; i++) if (address.charCodeAt(i) === 0x3a) colons++;
  return colons === 7;
}
