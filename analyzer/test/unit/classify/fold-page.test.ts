import { expect } from 'chai';
import { foldPage, ID_SEGMENT, NO_PAGE, PageLimits } from '../../../src/classify/fold-page.js';

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
});
