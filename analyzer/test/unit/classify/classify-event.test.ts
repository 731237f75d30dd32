import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import type { AnalyzerEvent } from '../../../src/classify/analyzer-event.js';
import { classifyEvent, UNKNOWN_REGION } from '../../../src/classify/classify-event.js';
import { geoipRegionOf } from '../../../src/classify/geoip-region.js';

describe('classifyEvent', () => {
  it('classifies 5xx access-log records with status and reason as signature', () => {
    expect(classifyEvent({ status: 503, path: '/api/orders/42?x=1', region: 'eu' })).to.deep.equal({
      kind: 'error5xx',
      region: 'EU',
      page: '/api/orders/:id',
      signature: '503 Service Unavailable',
    });
  });

  it('counts 4xx as client errors unless disabled', () => {
    expect(classifyEvent({ status: 404, path: '/x' }).kind).to.equal('error4xx');
    expect(classifyEvent({ status: 404, path: '/x' }, { count4xx: false }).kind).to.equal('ok');
    expect(
      classifyEvent({ status: 404, level: 'error', path: '/x' }, { count4xx: false }).kind,
    ).to.equal('errorLevel');
  });

  it('prefers the HTTP status over the level', () => {
    expect(classifyEvent({ status: 404, level: 'error' }).kind).to.equal('error4xx');
    expect(classifyEvent({ status: 500, level: 'info' }).kind).to.equal('error5xx');
  });

  it('classifies level errors with the masked message as signature', () => {
    const c = classifyEvent({ level: 'error', msg: 'db timeout after 3000ms', page: '/cart' });
    expect(c).to.deep.equal({
      kind: 'errorLevel',
      region: UNKNOWN_REGION,
      page: '/cart',
      signature: 'db timeout after <n>ms',
    });
    expect(classifyEvent({ level: 60, msg: 'x' }).kind).to.equal('errorLevel');
  });

  it('uses status and reason for a level error without a message', () => {
    expect(classifyEvent({ level: 'error', status: 302 }).signature).to.equal('302 Found');
  });

  it('leaves non-errors unclassified and marks unparsed records', () => {
    expect(classifyEvent({ level: 'info', status: 200, msg: 'ok' })).to.deep.equal({
      kind: 'ok',
      region: '',
      page: '',
      signature: '',
    });
    expect(classifyEvent({ parseError: true, msg: '{oops' }).kind).to.equal('unparsed');
    // Records shipped by earlier versions carried the text in `raw` as well.
    expect(classifyEvent({ parseError: true, raw: '{oops', msg: '{oops' }).kind).to.equal(
      'unparsed',
    );
    expect(classifyEvent(null as unknown as AnalyzerEvent).kind).to.equal('unparsed');
  });

  it('prefers page over path, and (none) without either', () => {
    expect(classifyEvent({ status: 500, page: '/p/1', path: '/q/2' }).page).to.equal('/p/:id');
    expect(classifyEvent({ status: 500, page: '', path: '/q/2' }).page).to.equal('/q/:id');
    expect(classifyEvent({ status: 500 }).page).to.equal('(none)');
  });

  it('takes the region from the record, else from the client IP, else unknown', () => {
    expect(
      classifyEvent(
        { status: 500, region: 'eu-west-1', clientIp: '8.8.8.8' },
        { regionOf: geoipRegionOf },
      ).region,
    ).to.equal('eu-west-1');
    expect(
      classifyEvent({ status: 500, clientIp: '8.8.8.8' }, { regionOf: geoipRegionOf }).region,
    ).to.equal('NA');
    expect(
      classifyEvent({ status: 500, clientIp: '10.0.0.1' }, { regionOf: geoipRegionOf }).region,
    ).to.equal(UNKNOWN_REGION);
    expect(classifyEvent({ status: 500, clientIp: '8.8.8.8' }).region).to.equal(UNKNOWN_REGION);
  });

  it('survives hostile field types and a throwing regionOf', () => {
    const hostile = {
      status: '500',
      level: { $gt: '' },
      msg: ['<script>'],
      region: 7,
      page: { toString: 1 },
      clientIp: 'x',
    } as unknown as AnalyzerEvent;
    const c = classifyEvent(hostile, {
      regionOf: () => {
        throw new Error('bad ip');
      },
    });
    expect(c).to.deep.equal({
      kind: 'error5xx',
      region: UNKNOWN_REGION,
      page: '(none)',
      signature: '500 Internal Server Error',
    });
  });

  it('rejects invalid options, naming them', () => {
    expect(() =>
      classifyEvent(
        {},
        { count4xx: 'yes' as unknown as boolean, regionOf: 3 as unknown as () => undefined },
      ),
    ).to.throw(ConfigError, /count4xx.*regionOf/);
  });
});
