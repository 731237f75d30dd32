import { expect } from 'chai';
import { PageLimits } from '../../../src/classify/fold-page.js';
import { SignatureLimits } from '../../../src/classify/message-signature.js';
import { MAX_REGION_CHARS } from '../../../src/classify/normalize-region.js';
import { CompactSpaceSaving } from '../../../src/aggregate/compact-space-saving.js';
import { MAX_EXAMPLE_CHARS } from '../../../src/aggregate/top-n-result.js';

function seeded(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Space-Saving of signatures within one key, as written out plainly: the reference. */
function referenceSignatures(
  stream: readonly [string, string][],
  perKey: number,
): Map<string, { signature: string; count: number; countError: number }[]> {
  const keys = new Map<string, { signature: string; count: number; countError: number }[]>();
  for (const [key, full] of stream) {
    const signature = full.slice(0, SignatureLimits.MAX_SIGNATURE_CHARS);
    const list = keys.get(key) ?? [];
    keys.set(key, list);
    const same = list.find((s) => s.signature === signature);
    if (same !== undefined) {
      same.count++;
      continue;
    }
    if (list.length < perKey) {
      list.push({ signature, count: 1, countError: 0 });
      continue;
    }
    let min = 0;
    for (let i = 1; i < list.length; i++) if (list[i]!.count < list[min]!.count) min = i;
    list[min] = { signature, count: list[min]!.count + 1, countError: list[min]!.count };
  }
  return keys;
}

describe('CompactSpaceSaving', () => {
  it('counts signatures within a key as plain Space-Saving does, whatever texts were seen lately', () => {
    // Texts of one length with the same first and last characters share a slot of the table's
    // recent texts; few keys and many texts make entries freed and handed to other texts while
    // still remembered; some texts are cut; each text is a new string object, or the same one.
    for (const seed of [3, 11, 2024]) {
      const random = seeded(seed);
      const long = 'x'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS);
      const texts = [
        ...Array.from({ length: 12 }, (_, i) => `s${String.fromCharCode(97 + i)}z`),
        ...Array.from({ length: 6 }, (_, i) => `timeout after <n>ms on shard ${i}`),
        `${long}a`,
        `${long}b`,
        '503 Service Unavailable',
      ];
      const store = new CompactSpaceSaving(1000);
      const stream: [string, string][] = [];
      for (let n = 0; n < 20_000; n++) {
        const page = `/p/${Math.floor(random() * 4)}`;
        const text = texts[Math.floor(random() * random() * texts.length)]!;
        const signature = random() < 0.5 ? text : (' ' + text).slice(1);
        stream.push([page, signature]);
        store.add('errorLevel', 'EU', page, signature, undefined, undefined);
      }
      const reference = referenceSignatures(stream, 5);
      const rows = store.top(store.size);
      expect(rows.length).to.equal(reference.size);
      for (const row of rows) {
        const expected = [...reference.get(row.page)!].sort(
          (a, b) =>
            b.count - a.count ||
            (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
        );
        expect(row.signatures, row.page).to.deep.equal(expected);
      }
    }
  });

  it('keeps the Space-Saving guarantees against an exact count on skewed streams', () => {
    for (const seed of [1, 7, 99]) {
      const random = seeded(seed);
      const m = 50;
      const store = new CompactSpaceSaving(m);
      const exact = new Map<string, number>();
      const n = 20_000;
      for (let i = 0; i < n; i++) {
        // Zipf-like: key k with probability ∝ 1/k over 2,000 keys in 3 regions.
        const k = Math.floor(Math.exp(random() * Math.log(2000)));
        const region = ['EU', 'NA', 'SA'][k % 3]!;
        const page = `/p/${k}`;
        const key = `${region} ${page}`;
        exact.set(key, (exact.get(key) ?? 0) + 1);
        store.add('errorLevel', region, page, 's', undefined, undefined);
      }
      const bound = store.errorBound;
      expect(store.bounded).to.equal(true);
      expect(bound)
        .to.be.greaterThan(0)
        .and.at.most(n / m);
      const rows = store.top(m);
      expect(rows).to.have.length(m);
      const tracked = new Map(rows.map((r) => [`${r.region} ${r.page}`, r]));
      for (const [key, truth] of exact) {
        const row = tracked.get(key);
        if (truth > bound) expect(row, key).to.not.equal(undefined);
        if (row === undefined) continue;
        expect(row.count)
          .to.be.at.least(truth)
          .and.at.most(truth + bound);
        expect(row.count - row.overestimate).to.be.at.most(truth);
      }
      expect(rows.reduce((sum, r) => sum + r.count, 0)).to.equal(n);
      // Deterministic order: count, then region, then page, in code-unit order.
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1]!, rows[i]!];
        expect(
          a.count > b.count ||
            (a.count === b.count &&
              (a.region < b.region || (a.region === b.region && a.page < b.page))),
        ).to.equal(true);
      }
      expect(store.distinctKeys()).to.be.within(exact.size * 0.95, exact.size * 1.05);
    }
  });

  it('counts every key exactly, whatever keys were counted lately', () => {
    // Keys of one length with the same middle and last characters, in regions of one length
    // and first letter, share a slot of the recent keys; strings are new objects or the same.
    const random = seeded(5);
    const regions = ['EU', 'Eu', 'EX', 'eu-west-1', 'eu-east-1', ''];
    const pages = [
      ...Array.from({ length: 20 }, (_, i) => `/${String.fromCharCode(97 + i)}/x/${i % 3}z`),
      '',
      '/',
      `/${'p'.repeat(PageLimits.MAX_PAGE_CHARS)}a`,
      `/${'p'.repeat(PageLimits.MAX_PAGE_CHARS)}b`,
    ];
    const store = new CompactSpaceSaving(1000);
    const exact = new Map<string, number>();
    for (let n = 0; n < 20_000; n++) {
      const region = regions[Math.floor(random() * regions.length)]!;
      const page = pages[Math.floor(random() * random() * pages.length)]!;
      const fresh = random() < 0.5;
      store.add(
        'errorLevel',
        fresh ? (' ' + region).slice(1) : region,
        fresh ? (' ' + page).slice(1) : page,
        's',
        undefined,
        n,
      );
      const key = `${region}\u0000${page.slice(0, PageLimits.MAX_PAGE_CHARS)}`;
      exact.set(key, (exact.get(key) ?? 0) + 1);
    }
    expect(store.bounded).to.equal(false);
    const rows = store.top(store.size);
    expect(new Map(rows.map((r) => [`${r.region}\u0000${r.page}`, r.count]))).to.deep.equal(exact);
  });

  it('does not count a key into its old slot once another key took it', () => {
    const store = new CompactSpaceSaving(2);
    for (const page of ['/a', '/a', '/a', '/b', '/c', '/b']) {
      store.add('errorLevel', 'EU', page, 's', undefined, undefined);
    }
    // /c took /b's slot (count 1 + 1); /b, counted lately there, now takes /c's (2 + 1).
    expect(store.top(2).map((r) => [r.page, r.count, r.overestimate])).to.deep.equal([
      ['/a', 3, 0],
      ['/b', 3, 2],
    ]);
  });

  it('remembers no key counted only once, and at most 256 keys whatever comes', () => {
    const store = new CompactSpaceSaving(100);
    for (let i = 0; i < 10_000; i++) {
      store.add('errorLevel', `r${i % 8}`, `/shop/${i.toString(36)}/reviews`, 's', 'line', i);
    }
    expect(store.bounded).to.equal(true);
    expect(store.rememberedKeys).to.equal(0);
    for (let i = 0; i < 2_000; i++) {
      const page = `/p/${i % 500}/x`;
      store.add('errorLevel', 'EU', page, 's', undefined, undefined);
      store.add('errorLevel', 'EU', page, 's', undefined, undefined);
    }
    expect(store.rememberedKeys).to.be.within(1, 256);
    // Every repeat of a key is counted in its slot whether or not it was remembered.
    const small = new CompactSpaceSaving(4);
    for (const page of ['/a', '/b', '/a', '/a', '/b', '/c']) {
      small.add('errorLevel', 'EU', page, 's', undefined, undefined);
    }
    expect(small.rememberedKeys).to.equal(2);
    expect(small.top(3).map((r) => [r.page, r.count])).to.deep.equal([
      ['/a', 3],
      ['/b', 2],
      ['/c', 1],
    ]);
  });

  it('is exact, in insertion-independent order, until the first eviction', () => {
    const store = new CompactSpaceSaving(3);
    for (const [page, n] of [
      ['/b', 2],
      ['/a', 2],
      ['/c', 5],
    ] as const) {
      for (let i = 0; i < n; i++) store.add('error5xx', 'EU', page, '500', `${page} ${i}`, i);
    }
    expect(store.bounded).to.equal(false);
    expect(store.errorBound).to.equal(0);
    expect(store.distinctKeys()).to.equal(3);
    expect(store.top(3).map((r) => [r.page, r.count, r.example, r.firstSeenMs])).to.deep.equal([
      ['/c', 5, '/c 0', 0],
      ['/a', 2, '/a 0', 0],
      ['/b', 2, '/b 0', 0],
    ]);
  });

  it('reuses the evicted slot and its signature entries, leaving nothing of the old key', () => {
    const store = new CompactSpaceSaving(2);
    store.add('error5xx', 'EU', '/a', 'sig a', 'line a', 10);
    store.add('error5xx', 'EU', '/a', 'sig a', 'line a', 10);
    store.add('error4xx', 'NA', '/b', 'sig b', 'line b', 20);
    // /c evicts /b (count 1): /c starts at 1 + 1 with none of /b's details.
    store.add('errorLevel', 'SA', '/c', 'sig c', 'first c', 30);
    expect(store.size).to.equal(2);
    expect(store.signatureTexts).to.equal(2);
    let c = store.top(2).find((r) => r.page === '/c')!;
    expect(c).to.deep.include({
      region: 'SA',
      count: 2,
      overestimate: 1,
      count4xx: 0,
      countLevel: 1,
      example: '',
      firstSeenMs: 30,
    });
    expect(c.signatures).to.deep.equal([{ signature: 'sig c', count: 1, countError: 0 }]);
    store.add('errorLevel', 'SA', '/c', 'sig c', 'second c', 31);
    c = store.top(2).find((r) => r.page === '/c')!;
    expect([c.count, c.example, c.lastSeenMs]).to.deep.equal([3, 'second c', 31]);
    // Churn through many keys: slots and signature entries are reused, never grown.
    for (let i = 0; i < 10_000; i++) store.add('error5xx', 'EU', `/x${i}`, `s${i}`, 'l', i);
    expect(store.size).to.equal(2);
    expect(store.signatureTexts).to.be.at.most(2 * 5);
    expect(store.top(2).map((r) => r.page)).to.include('/x9999');
  });

  it('cuts long and non-BMP keys, signatures and examples without splitting a pair', () => {
    const store = new CompactSpaceSaving(4);
    const emoji = '😀';
    const region = 'r'.repeat(MAX_REGION_CHARS - 1) + emoji + 'tail';
    const page = '/' + 'é'.repeat(PageLimits.MAX_PAGE_CHARS - 2) + emoji;
    const signature = 's'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1) + emoji;
    const example = 'x'.repeat(MAX_EXAMPLE_CHARS - 1) + emoji + 'more';
    store.add('errorLevel', region, page, signature, example, 1);
    // Different only past the cut: the same key.
    store.add('errorLevel', region + 'other', page + 'x', signature + 'x', example, 2);
    const [row] = store.top(1);
    expect(row!.count).to.equal(2);
    expect(row!.region).to.equal('r'.repeat(MAX_REGION_CHARS - 1));
    expect(row!.page).to.equal('/' + 'é'.repeat(PageLimits.MAX_PAGE_CHARS - 2));
    expect(row!.signatures).to.deep.equal([
      { signature: 's'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1), count: 2, countError: 0 },
    ]);
    expect(row!.example).to.equal('x'.repeat(MAX_EXAMPLE_CHARS - 1));
    store.add('error5xx', '東京', `/${emoji}/ページ`, `ошибка ${emoji}`, `строка ${emoji}`, 3);
    const unicode = store.top(2).find((r) => r.region === '東京')!;
    expect([unicode.page, unicode.signatures[0]!.signature, unicode.example]).to.deep.equal([
      `/${emoji}/ページ`,
      `ошибка ${emoji}`,
      `строка ${emoji}`,
    ]);
  });

  it('tells keys apart whose region and page only split differently', () => {
    const store = new CompactSpaceSaving(4);
    store.add('errorLevel', 'ab', 'c', 's', undefined, undefined);
    store.add('errorLevel', 'a', 'bc', 's', undefined, undefined);
    expect(store.top(4).map((r) => [r.region, r.page])).to.deep.equal([
      ['a', 'bc'],
      ['ab', 'c'],
    ]);
  });
});
