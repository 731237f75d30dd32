import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { KplAggregateBuilder, KplAggregateFormat } from '../../../src/kpl/kpl-aggregate-builder.js';

describe('KplAggregateBuilder', () => {
  it('predicts its encoded size exactly', () => {
    const b = new KplAggregateBuilder();
    const inputs: [string, Buffer][] = [
      ['k1', Buffer.from('hello')],
      ['k2', Buffer.alloc(300, 1)],
      ['k1', Buffer.alloc(20_000, 2)],
      ['ключ', Buffer.from('unicode key')],
    ];
    for (const [key, data] of inputs) {
      const predicted = b.sizeWith(key, data);
      b.add(key, data);
      expect(b.size).to.equal(predicted);
      expect(b.build().length).to.equal(predicted);
    }
    expect(b.count).to.equal(4);
  });

  it('frames the protobuf with the magic bytes and its MD5', () => {
    const b = new KplAggregateBuilder();
    b.add('key', Buffer.from('data'));
    const out = b.build();
    expect([...out.subarray(0, 4)]).to.deep.equal([...KplAggregateFormat.MAGIC]);
    const body = out.subarray(4, out.length - 16);
    expect(
      createHash('md5')
        .update(body)
        .digest()
        .equals(out.subarray(out.length - 16)),
    ).to.equal(true);
    // partition_key_table[0] = "key" (field 1, wire type 2), then records (field 3, wire type 2)
    expect([...body.subarray(0, 5)]).to.deep.equal([0x0a, 3, 0x6b, 0x65, 0x79]);
    expect(body[5]).to.equal(0x1a);
  });
});
