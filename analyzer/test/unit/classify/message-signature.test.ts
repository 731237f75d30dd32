import { expect } from 'chai';
import { pick, seededRandom } from '@kinlog/core';
import {
  EMPTY_SIGNATURE,
  messageSignature,
  SIGNATURE_RULES_VERSION,
  SignatureLimits,
  SignatureMasks,
} from '../../../src/classify/message-signature.js';
import { truncateString } from '../../../src/classify/truncate-string.js';

// The masking rules as one global replace, the way they were first applied: the scanning
// version must give the same signature for every message.
const GLOBAL_RULES = new RegExp(
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
  'g',
);
function isIpv6(candidate: string): boolean {
  if (!/[0-9a-fA-F]/.test(candidate)) return false;
  const close = candidate.indexOf(']');
  const address = close >= 0 ? candidate.slice(0, close) : candidate;
  return address.includes('::') || address.split(':').length - 1 === 7;
}
function signatureTheLongWay(message: string): string {
  const input = message.slice(0, SignatureLimits.MAX_INPUT_CHARS);
  const masked = input
    .replace(
      GLOBAL_RULES,
      (match, email, uuid, ipv6, ipv4, hex, num, quoted: string | undefined) => {
        if (num !== undefined) return SignatureMasks.number;
        if (hex !== undefined) {
          if (/^0[xX]/.test(match)) return SignatureMasks.hex;
          if (!/[a-fA-F]/.test(match)) return SignatureMasks.number;
          return /\d/.test(match) ? SignatureMasks.hex : match;
        }
        if (ipv4 !== undefined) return SignatureMasks.ip;
        if (ipv6 !== undefined) {
          return isIpv6(match) ? SignatureMasks.ip : match.replace(/\d+(?:[.,]\d+)*/g, '<n>');
        }
        if (uuid !== undefined) return SignatureMasks.uuid;
        if (email !== undefined) return SignatureMasks.email;
        if (quoted !== undefined) return SignatureMasks.string;
        return ' ';
      },
    )
    .trim();
  return masked === ''
    ? EMPTY_SIGNATURE
    : truncateString(masked, SignatureLimits.MAX_SIGNATURE_CHARS);
}

describe('messageSignature', () => {
  const cases: [string, string][] = [
    ['timeout after 3012ms on 10.0.0.7:5432', 'timeout after <n>ms on <ip>'],
    ['id=550e8400-e29b-41d4-a716-446655440000 missing', 'id=<uuid> missing'],
    ['peer [2001:db8::1]:8080 reset', 'peer <ip> reset'],
    ['peer fe80::1%eth0 and ::ffff:192.168.0.1 gone', 'peer <ip> and <ip> gone'],
    ['peer 2001:0db8:0000:0000:0000:ff00:0042:8329 gone', 'peer <ip> gone'],
    ['at 10:20:30 ok', 'at <n>:<n>:<n> ok'],
    ['mail to bob.smith+x@example.co.uk bounced', 'mail to <email> bounced'],
    ['ptr 0xDEADbeef hash 3f2a9c1b7e', 'ptr <hex> hash <hex>'],
    ['deadbeef is a word here', 'deadbeef is a word here'],
    ['order 12345678901 and 1,234.56 and 1.2.3', 'order <n> and <n> and <n>'],
    ['User "alice" not found', 'User "<str>" not found'],
    [
      "Cannot read properties of undefined (reading 'foo')",
      "Cannot read properties of undefined (reading 'foo')",
    ],
    ['std::vector::push_back failed', 'std::vector::push_back failed'],
    ['  spaced \t out\n\nlines  ', 'spaced out lines'],
    ['<script>alert(1)</script>', '<script>alert(<n>)</script>'],
  ];
  for (const [message, expected] of cases) {
    it(`masks ${JSON.stringify(message)}`, () => {
      expect(messageSignature(message)).to.equal(expected);
    });
  }

  it('gives the same signature to messages that differ only in variable parts', () => {
    expect(messageSignature('user 1 failed from 1.2.3.4')).to.equal(
      messageSignature('user 98765 failed from 203.0.113.9'),
    );
  });

  it('is (empty) for missing, non-string or blank messages', () => {
    expect(messageSignature(undefined)).to.equal(EMPTY_SIGNATURE);
    expect(messageSignature({ a: 1 })).to.equal(EMPTY_SIGNATURE);
    expect(messageSignature(' \n ')).to.equal(EMPTY_SIGNATURE);
  });

  it('bounds the length, even for huge messages', () => {
    const sig = messageSignature('x'.repeat(1_000_000));
    expect(sig).to.equal('x'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS));
  });

  it('does not split a surrogate pair when cutting', () => {
    const sig = messageSignature('a'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1) + '😀😀');
    expect(sig).to.equal('a'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1));
  });

  it('stays linear on long hostile tokens', () => {
    // Email-shaped prefixes without "@" must not make the scan quadratic; the result is cut anyway.
    const sig = messageSignature('a.'.repeat(256) + ' x');
    expect(sig.length).to.be.at.most(SignatureLimits.MAX_SIGNATURE_CHARS);
  });

  it('is versioned', () => {
    expect(SIGNATURE_RULES_VERSION).to.equal(1);
  });

  it('masks random and hostile messages as one global replace of the rules does', () => {
    const random = seededRandom(1234);
    const pieces = [
      ' ',
      ' ',
      '  ',
      '\t',
      '\n',
      '\u00a0',
      '\u2028',
      '\u3000',
      '\ufeff',
      '\u200b',
      'a',
      'f',
      'g',
      'z',
      'A',
      'F',
      'G',
      '_',
      '.',
      '+',
      '-',
      '@',
      ':',
      '::',
      '[',
      ']',
      '%',
      '"',
      '\\',
      "'",
      '(',
      ')',
      '/',
      '=',
      ',',
      'é',
      '💥',
      '\ud800',
      '0',
      '7',
      '42',
      '3012ms',
      '1,234.5',
      '1.2.3',
      '10.0.0.7',
      '10.0.0.7:5432',
      '999.1.1.1',
      '550e8400-e29b-41d4-a716-446655440000',
      '0xDEADbeef',
      'deadbeef',
      '3f2a9c1b7e',
      'cafe',
      'fe80::1%eth0',
      '[2001:db8::1]:8080',
      '::ffff:192.168.0.1',
      '1:2:3:4:5:6:7:8',
      '10:20:30',
      'bob.smith+x@example.co.uk',
      'a@b',
      '@x.io',
      'user',
      'failed',
      'std::vector',
      '"quoted"',
      '"unterminated',
      '<script>',
      '9000ms',
      '12ab',
      '12ab:',
      '0x',
      '0',
      'x1f',
      '2024-05-01',
      '20240501-',
      '1.2.3.4567',
      '1.2.3.4:123456',
      '1234.5.6.7',
      '1.2.3.4.5',
      'v1.2.3.4',
      '550e8400-e29b-41d4-a716-446655440000x',
      '550e8400-e29b-41d4-a716-44665544000',
      'DEADBEEF-e29b-41d4-a716-446655440000',
      '550e8400-e29b-41g4-a716-446655440000',
      '550e8400e29b-41d4-a716-446655440000-',
      'cafe:',
      'face:b00c',
      'abcdef12',
      'a1b2c3d4-',
      'Bad',
      // Digits first: each way out of the one look after a run of digits.
      '1234abcd-e29b-41d4-a716-446655440000',
      '12345678-e29b-41d4-a716-446655440000',
      '123456789-e29b-41d4-a716-446655440000',
      '1234567-e29b-41d4-a716-446655440000',
      '12345678-',
      '1234abcdef-',
      '12,5',
      '12:',
      '123:45',
      '1234:',
      '12345:',
      '0x1f',
      '0X',
      '00x1',
      '12+',
      '12-',
      '12_',
      '12.',
      '1.2',
      '123.4.5.6',
      '1234.5.6.7:8',
      // The scan reads a unit of 0 past the end: a NUL inside a message is only a character.
      '\u0000',
      '12\u0000',
      'cafe\u0000:',
    ];
    for (let n = 0; n < 30_000; n++) {
      let message = '';
      const count = Math.floor(random() * 16);
      for (let k = 0; k < count; k++) message += pick(random, pieces);
      if (random() < 0.01) message = message.repeat(60);
      expect(messageSignature(message), JSON.stringify(message)).to.equal(
        signatureTheLongWay(message),
      );
    }
  });

  it('gives each of many distinct signatures its own text, asked in any order', () => {
    // Far more distinct signatures of one length than signatures are kept by hash: slots are
    // shared, and a kept signature is only given back for the very same text.
    const word = (n: number): string => {
      let w = '';
      for (let k = 0; k < 4; k++, n = Math.floor(n / 20)) w += String.fromCharCode(0x67 + (n % 20));
      return w;
    };
    const count = 20_000;
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < count; n++) {
        const i = round === 0 ? n : (n * 7919) % count;
        expect(messageSignature(`  lost ${word(i)} after ${i}ms `)).to.equal(
          `lost ${word(i)} after <n>ms`,
        );
      }
    }
  });

  it('masks long messages only as far as the signature reaches, as the whole scan would', () => {
    // The scan stops once its units hold a whole signature: tokens, whitespace runs and
    // surrogate pairs that straddle that point (near MAX_SIGNATURE_CHARS) must end up as they
    // would with the whole message masked.
    const random = seededRandom(4321);
    const lead = ['a', 'b', ' ', '  ', '\t', '\u3000', '😀', '7', '-'];
    const tokens = [
      ' ',
      '   ',
      '\n\n',
      '\u00a0 ',
      'word',
      'deadbeef',
      '3f2a9c1b7e',
      '0xDEAD',
      '42',
      '1,234.5',
      '10.0.0.7:5432',
      '550e8400-e29b-41d4-a716-446655440000',
      'fe80::1%eth0',
      'bob.smith+x@example.co.uk',
      '"quoted text"',
      '"unterminated',
      '😀',
      '\ud83d',
      'é',
    ];
    for (let n = 0; n < 4_000; n++) {
      let message = '';
      // A lead of varying length brings the tokens to where the scan may stop.
      const leadLength = 80 + Math.floor(random() * 80);
      while (message.length < leadLength) message += pick(random, lead);
      const count = Math.floor(random() * 40);
      for (let k = 0; k < count; k++) message += pick(random, tokens);
      expect(messageSignature(message), JSON.stringify(message)).to.equal(
        signatureTheLongWay(message),
      );
    }
  });

  it('treats as whitespace exactly what \\s matches', () => {
    // Two of a kind collapse to one space only when both are whitespace.
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      const message = `a${c}${c}b`;
      expect(messageSignature(message), code.toString(16)).to.equal(signatureTheLongWay(message));
    }
  });
});
