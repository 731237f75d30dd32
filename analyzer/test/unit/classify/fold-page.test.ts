import { expect } from 'chai';
import { pick, seededRandom } from '@kinlog/core';
import { detachString } from '../../../src/classify/detach-string.js';
import {
  foldOtherPage,
  foldPage,
  foldPlainPage,
  ID_SEGMENT,
  NO_PAGE,
  PageLimits,
} from '../../../src/classify/fold-page.js';

// foldPage as it was written first (split, then every rule on every segment): the scanning
// version must give the same page for every input.
const ELLIPSIS = '…';
const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const DIGITS = /^\d+$/;
const DIGIT_GROUPS = /^\d+(?:[-_.,:]\d+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:0x)?[0-9a-f]{8,}$/i;
const EMAIL = /^[^@]+(?:@|%40)[^@]+\.[a-z]{2,}$/i;
const ALNUM_ID = /^[a-z0-9]{6,}$/i;
const TOKEN = /^[A-Za-z0-9_-]{16,}$/;
const EXTENSION = /^(.+)\.([A-Za-z0-9]{1,8})$/;
const DIGIT = /\d/;
const DIGIT_RUNS = /\d/g;
const LETTER = /[a-z]/i;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
function foldPageTheLongWay(raw: unknown): string {
  if (typeof raw !== 'string') return NO_PAGE;
  let path =
    raw.length > PageLimits.MAX_INPUT_CHARS ? raw.slice(0, PageLimits.MAX_INPUT_CHARS) : raw;
  path = path.trim();
  if (path === '') return NO_PAGE;
  const authority = SCHEME_AND_AUTHORITY.exec(path);
  if (authority !== null) path = path.slice(authority[0].length);
  const cut = firstIndexOf(path, '?', '#');
  if (cut >= 0) path = path.slice(0, cut);

  const folded: string[] = [];
  let segmentCount = 0;
  for (const segment of path.split('/')) {
    if (segment === '') continue;
    if (++segmentCount > PageLimits.MAX_SEGMENTS) {
      folded.push(ELLIPSIS);
      break;
    }
    folded.push(foldSegment(segment));
  }
  const page = '/' + folded.join('/');
  if (page.length <= PageLimits.MAX_PAGE_CHARS) return page;
  return detachString(page.slice(0, PageLimits.MAX_PAGE_CHARS - ELLIPSIS.length) + ELLIPSIS);
}

function foldSegment(segment: string): string {
  if (segment.length > PageLimits.MAX_SEGMENT_CHARS) return ID_SEGMENT;
  if (isIdLike(segment)) return ID_SEGMENT;
  const withExtension = EXTENSION.exec(segment);
  if (withExtension !== null && isIdLike(withExtension[1] ?? '')) {
    return `${ID_SEGMENT}.${withExtension[2] ?? ''}`;
  }
  // Segments are re-joined, so a kept segment never needs its own copy.
  return segment;
}

function isIdLike(s: string): boolean {
  if (!DIGIT.test(s)) return s.includes('@') || s.includes('%40') ? EMAIL.test(s) : false;
  return (
    DIGITS.test(s) ||
    DIGIT_GROUPS.test(s) ||
    UUID.test(s) ||
    HEX.test(s) ||
    EMAIL.test(s) ||
    (ALNUM_ID.test(s) && LETTER.test(s) && countDigits(s) >= 2) ||
    (TOKEN.test(s) && UPPER.test(s) && LOWER.test(s))
  );
}

function countDigits(s: string): number {
  return s.match(DIGIT_RUNS)?.length ?? 0;
}

function firstIndexOf(s: string, a: string, b: string): number {
  const i = s.indexOf(a);
  const j = s.indexOf(b);
  if (i < 0) return j;
  if (j < 0) return i;
  return Math.min(i, j);
}

describe('foldPage', () => {
  const cases: [unknown, string][] = [
    ['/users/42/orders?x=1#top', '/users/:id/orders'],
    ['/users/550e8400-e29b-41d4-a716-446655440000', '/users/:id'],
    ['/blobs/3f2a9c1b7e4d', '/blobs/:id'],
    ['/blobs/0xdeadbeef01', '/blobs/:id'],
    ['/people/bob.smith@example.com/inbox', '/people/:id/inbox'],
    ['/people/bob%40example.com', '/people/:id'],
    ['/codes/a1b2c3', '/codes/:id'],
    ['/s/V1StGXR8_Z5jdHi6B-myT', '/s/:id'],
    ['/days/2024-01-31/summary', '/days/:id/summary'],
    ['/img/123.png', '/img/:id.png'],
    ['https://shop.example:8443/Cart/Items?id=7', '/Cart/Items'],
    ['//a///b/', '/a/b'],
    ['?only=query', '/'],
    ['/', '/'],
    ['/v1/oauth2/html5', '/v1/oauth2/html5'],
    ['/how-to-install-node', '/how-to-install-node'],
    ['/deadbeefcafe', '/deadbeefcafe'],
    ['', NO_PAGE],
    ['   ', NO_PAGE],
    [undefined, NO_PAGE],
    [42, NO_PAGE],
  ];
  for (const [raw, expected] of cases) {
    it(`folds ${JSON.stringify(raw)} to ${expected}`, () => {
      expect(foldPage(raw)).to.equal(expected);
    });
  }

  it('keeps case: paths are case-sensitive', () => {
    expect(foldPage('/API/Users')).to.equal('/API/Users');
  });

  it('folds an over-long segment (a token) to :id', () => {
    expect(foldPage(`/t/${'x'.repeat(PageLimits.MAX_SEGMENT_CHARS + 1)}`)).to.equal(
      `/t/${ID_SEGMENT}`,
    );
  });

  it('bounds the number of segments and the length', () => {
    const many = foldPage('/a'.repeat(100));
    expect(many).to.equal(`${'/a'.repeat(PageLimits.MAX_SEGMENTS)}/…`);
    const long = foldPage(`/${'abcdefghij-'.repeat(5)}`.repeat(10));
    expect(long.length).to.be.at.most(PageLimits.MAX_PAGE_CHARS);
    expect(long.endsWith('…')).to.equal(true);
  });

  it('keeps hostile text verbatim, as data', () => {
    expect(foldPage('/search/<script>alert(1)<\\script>')).to.equal(
      '/search/<script>alert(1)<\\script>',
    );
    expect(foldPage("/x/'; DROP TABLE users;--")).to.equal("/x/'; DROP TABLE users;--");
  });

  it('folds random and hostile paths as the split-and-test version does', () => {
    const random = seededRandom(4242);
    const pieces = [
      '/',
      '/',
      '//',
      'users',
      'API',
      '42',
      '2024-01-31',
      '550e8400-e29b-41d4-a716-446655440000',
      '0xdeadbeef01',
      'deadbeefcafe',
      '3f2a9c1b7e4d',
      'a1b2c3',
      'V1StGXR8_Z5jdHi6B-myT',
      'bob.smith@example.com',
      'bob%40example.com',
      '%2F',
      '%',
      '@',
      '123.png',
      'x.tar.gz',
      'file.',
      '.',
      '..',
      '?',
      '#',
      '?a=1/b',
      ' ',
      '\t',
      'https://',
      'ftp://h:1',
      'HTTP://X',
      'ſ://k',
      'é',
      '\u212a',
      '💥',
      '\ud800',
      'x'.repeat(70),
      '9'.repeat(70),
      ':',
      '-',
      '_',
      // Letters and digits only, around each rule's thresholds.
      'ab12',
      'abc12',
      'abcd12',
      'abcde1',
      'a1',
      '1a2bab12',
      '1a2bab1',
      'ABCDEF12',
      'abcdeF12',
      'abcdeg12',
      'G1',
      'A1b2C3d4E5f6G7h8',
      'A1bcdefghijklmno',
      'Abcdefghijklmnop1',
      'abcdefghijklmnopq1',
      'x9y8',
      'zz9',
      '0xabcdefab',
      '0Xabcdefa',
      '0x1',
    ];
    for (let n = 0; n < 20_000; n++) {
      let raw = '';
      const count = Math.floor(random() * 12);
      for (let k = 0; k < count; k++) raw += pick(random, pieces);
      if (random() < 0.02) raw = raw.repeat(200);
      expect(foldPage(raw), JSON.stringify(raw)).to.equal(foldPageTheLongWay(raw));
    }
  });

  it('folds random paths that start with a slash as the split-and-test version does', () => {
    // Mostly paths as written (the one-scan way), with every way out of it mixed in.
    const random = seededRandom(777);
    const segments = [
      'users',
      'api',
      'v2',
      '42',
      '007',
      '2024-01-31',
      '550e8400-e29b-41d4-a716-446655440000',
      '0xdeadbeef01',
      'deadbeefcafe',
      'a1b2c3',
      'ab12',
      'V1StGXR8_Z5jdHi6B-myT',
      'bob.smith@example.com',
      'bob%40example.com',
      '%2F',
      '123.png',
      'x.tar.gz',
      'a b',
      'é',
      '💥',
      '\ud800',
      'x'.repeat(64),
      'x'.repeat(65),
      '1'.repeat(64),
      '1'.repeat(65),
      '',
      '?q=1',
      '#top',
      ' ',
      '\t',
      '\u00a0',
      '\u2028',
      ':id',
      '…',
    ];
    for (let n = 0; n < 20_000; n++) {
      let raw = '';
      const count = 1 + Math.floor(random() * (random() < 0.1 ? 24 : 8));
      for (let k = 0; k < count; k++) raw += '/' + pick(random, segments);
      if (random() < 0.05) raw += '/';
      if (random() < 0.05) raw = raw.repeat(8);
      const expected = foldPageTheLongWay(raw);
      expect(foldPage(raw), JSON.stringify(raw)).to.equal(expected);
      // Split as classification calls it: the plain way, else the other (behind a memo).
      const split = foldPlainPage(raw) ?? foldOtherPage(raw);
      if (split !== expected) expect(split, JSON.stringify(raw)).to.equal(expected);
    }
  });

  it('gives a plain page folded lately as the same string, and every page right after others', () => {
    const first = foldPlainPage('/orders/1234/items');
    expect(first).to.equal('/orders/:id/items');
    // Another id, the same page: the string made for the first one.
    expect(foldPlainPage('/orders/77/items')).to.equal(first);
    // Far more pages than are kept: each is still right, whatever it displaced.
    for (let i = 0; i < 10_000; i++) {
      expect(foldPlainPage(`/p${i.toString(36)}x/${i}/v`)).to.equal(`/p${i.toString(36)}x/:id/v`);
    }
    expect(foldPlainPage('/orders/5/items')).to.equal('/orders/:id/items');
  });

  it('folds paths whose page grows or shrinks across the length bound as the long way does', () => {
    const word = '/' + 'a'.repeat(64);
    const paths = [
      word.repeat(3) + '/1', // 197 units, folded 199
      word.repeat(3) + '/1/2', // 199 units, folded 203: cut the careful way
      word.repeat(3) + '/x/1', // 199, folded 201
      word.repeat(3) + '/12', // 198, folded 199
      word.repeat(2) + '/' + '9'.repeat(64) + '/b', // 196, an id shrinks it
      word.repeat(2) + '/' + 'a1b2c3'.repeat(10) + '/1', // 194, then 200
      word.repeat(2) + '/' + 'x'.repeat(60) + '/1.png', // 196, folded 198
      word.repeat(3) + '/1.png', // 201 units: over the bound before folding
      // 197 units in 16 segments: 223 written before the last one folds to :id, 186 after.
      '/1'.repeat(13) + word.repeat(2) + '/' + '7'.repeat(40),
    ];
    for (const raw of paths) {
      const expected = foldPageTheLongWay(raw);
      expect(foldPage(raw), raw).to.equal(expected);
      expect(foldPlainPage(raw) ?? foldOtherPage(raw), raw).to.equal(expected);
    }
  });
});
