import { expect } from 'chai';
import { classifyEvent } from '../../../src/classify/classify-event.js';
import { NO_PAGE } from '../../../src/classify/fold-page.js';
import { PAGE_FIELDS, rawPageOf } from '../../../src/classify/raw-page-of.js';

describe('rawPageOf', () => {
  it('reads each page field alone', () => {
    expect(rawPageOf({ page: '/a' })).to.equal('/a');
    expect(rawPageOf({ path: '/b' })).to.equal('/b');
    expect(rawPageOf({ url: 'https://shop.example.com/c?x=1' })).to.equal(
      'https://shop.example.com/c?x=1',
    );
    expect(rawPageOf({ uri: '/d' })).to.equal('/d');
    expect(rawPageOf({ request: 'GET /e?q=1 HTTP/1.1' })).to.equal('/e?q=1');
    expect(rawPageOf({ request: 'POST /f' })).to.equal('/f');
    expect(rawPageOf({ request: '/g' })).to.equal('/g');
    expect(rawPageOf({ req: { method: 'GET', url: '/h' } })).to.equal('/h');
  });

  it('takes the first present field in the documented order', () => {
    expect(PAGE_FIELDS).to.deep.equal(['page', 'path', 'url', 'uri', 'request', 'req.url']);
    const all = {
      page: '/1',
      path: '/2',
      url: '/3',
      uri: '/4',
      request: 'GET /5 HTTP/1.1',
      req: { url: '/6' },
    };
    const expected = ['/1', '/2', '/3', '/4', '/5', '/6'];
    const event: Record<string, unknown> = { ...all };
    for (const want of expected) {
      expect(rawPageOf(event)).to.equal(want);
      // Drop the field that won: the next one in the order wins then.
      const key = Object.keys(event)[0]!;
      delete event[key];
    }
  });

  it('skips empty strings, non-strings and text that is not a request line', () => {
    expect(rawPageOf({ page: '', url: '/u' })).to.equal('/u');
    expect(rawPageOf({ path: 42 as unknown as string, uri: '/v' })).to.equal('/v');
    expect(rawPageOf({ request: 'something went wrong', req: { url: '/w' } })).to.equal('/w');
    expect(rawPageOf({ req: ['/x'] })).to.equal(undefined);
    expect(rawPageOf({})).to.equal(undefined);
  });
});

describe('classifyEvent page fields', () => {
  it('folds the page of errors that carry only url, uri, request or req.url', () => {
    const cases: Record<string, unknown>[] = [
      { url: 'https://shop.example.com/orders/42?x=1' },
      { uri: '/orders/42' },
      { request: 'GET /orders/42 HTTP/1.1' },
      { req: { id: 1, method: 'GET', url: '/orders/42' } },
    ];
    for (const fields of cases) {
      const c = classifyEvent({ status: 503, region: 'EU', ...fields });
      expect(c.page, JSON.stringify(fields)).to.equal('/orders/:id');
    }
    expect(classifyEvent({ status: 503 }).page).to.equal(NO_PAGE);
  });
});
