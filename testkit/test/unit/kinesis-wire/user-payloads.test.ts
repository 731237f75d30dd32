import { describe, it } from 'mocha';
import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { KplAggregateBuilder } from '@kinlog/core';
import { UserPayloadError, userPayloads } from '../../../src/kinesis-wire/user-payloads.js';

const texts = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString());

describe('userPayloads', () => {
  it('answers plain data as one payload', () => {
    expect(texts(userPayloads(Buffer.from('line 1')))).to.deep.equal(['line 1']);
  });

  it('gunzips gzip data', () => {
    expect(texts(userPayloads(gzipSync('line 1')))).to.deep.equal(['line 1']);
  });

  it('splits a KPL aggregate into its user records in order, gunzipping each', () => {
    const agg = new KplAggregateBuilder();
    agg.add('key-a', Buffer.from('line 1'));
    agg.add('key-b', gzipSync('line 2'));
    agg.add('key-a', Buffer.from(''));
    agg.add('key-c', Buffer.from('line 4'));

    expect(texts(userPayloads(agg.build()))).to.deep.equal(['line 1', 'line 2', '', 'line 4']);
  });

  it('rejects an aggregate whose digest does not match', () => {
    const agg = new KplAggregateBuilder();
    agg.add('key', Buffer.from('line 1'));
    const data = agg.build();
    data[data.length - 1]! ^= 0xff;

    expect(() => userPayloads(data)).to.throw(UserPayloadError, /digest/);
  });
});
