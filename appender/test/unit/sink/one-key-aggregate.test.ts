import { createHash } from 'node:crypto';
import { KplAggregateFormat, lengthDelimitedSize, ProtobufWriter } from '@kinlog/core';
import { expect } from 'chai';
import { OneKeyAggregate } from '../../../src/sink/one-key-aggregate.js';
import { deaggregate } from '../../support/kpl-deaggregate.js';

describe('OneKeyAggregate', () => {
  it('is a KPL aggregate whose every user record carries its one key and explicit hash key', () => {
    const ehk = (1n << 126n).toString();
    const a = new OneKeyAggregate('sink-key', ehk);
    const lines = ['first', '', 'é'.repeat(100), 'x'.repeat(300)];
    let size = a.size;
    for (const line of lines) {
      const data = Buffer.from(line);
      expect(a.sizeWith(data.length)).to.be.above(size);
      size = a.sizeWith(data.length);
      a.add(data);
    }
    expect(a.count).to.equal(4);
    const built = a.build();
    expect(built.length).to.equal(a.size).and.equal(size); // sizes are exact
    const users = deaggregate(built, 'sink-key');
    expect(users.map((u) => Buffer.from(u.data, 'base64').toString())).to.deep.equal(lines);
    for (const u of users) {
      expect(u.partitionKey).to.equal('sink-key');
      expect(u.explicitPartitionKey).to.equal(ehk);
    }
  });

  it('knows the size of a lone record before building anything', () => {
    const ehk = '12345678901234567890';
    const a = new OneKeyAggregate('kk', ehk);
    a.add(Buffer.alloc(1000));
    expect(OneKeyAggregate.loneSize(2, ehk.length, 1000)).to.equal(a.build().length);
  });

  it('encodes, as records are added into one buffer, the same bytes as the field-by-field writer', () => {
    const ehk = (1n << 127n).toString();
    const lines = ['a', '', 'x'.repeat(127), 'y'.repeat(128), 'é'.repeat(9000), 'z'.repeat(20000)];
    // Capacities: too small (the buffer grows), exact, and the sink's cap.
    for (const capacity of [0, 64, 50 * 1024]) {
      const a = new OneKeyAggregate('sink-key', ehk, capacity);
      const views = lines.map((line) => a.add(Buffer.from(line)));
      expect(views.map((v) => v.toString())).to.deep.equal(lines);
      const built = a.build();
      expect(
        built.equals(
          fieldByField(
            'sink-key',
            ehk,
            lines.map((l) => Buffer.from(l)),
          ),
        ),
      ).to.equal(true, `capacity ${capacity}`);
      expect(
        deaggregate(built, 'sink-key').map((u) => Buffer.from(u.data, 'base64').toString()),
      ).to.deep.equal(lines);
    }
  });

  it('encodes ranges added together byte for byte as added one by one, whatever their gaps and order', () => {
    const ehk = (1n << 125n).toString();
    const text = ['a', '', 'x'.repeat(120), 'y'.repeat(127), 'é'.repeat(64), 'z'.repeat(20000)];
    // Lines with gaps of 1 byte (a newline), none, many bytes, and ranges out of order.
    const src = Buffer.from(
      `${text[0]}\n${text[1]}\n${text[2]}${text[3]}${'-'.repeat(500)}${text[4]}\n${text[5]}\n`,
    );
    const starts: number[] = [];
    const ends: number[] = [];
    let at = 0;
    for (const [i, t] of text.entries()) {
      const n = Buffer.byteLength(t);
      starts.push(at);
      ends.push(at + n);
      at += n + (i === 2 ? 0 : i === 3 ? 500 : 1);
    }
    starts.push(starts[2]!, starts[0]!, starts[4]!);
    ends.push(ends[2]!, ends[0]!, ends[4]!);
    for (const [from, to] of [
      [0, starts.length],
      [2, 5],
      [5, 9],
      [1, 2],
    ] as const) {
      // Small buffers: adding grows them.
      const careful = new OneKeyAggregate('k', ehk, 64);
      const one = new OneKeyAggregate('k', ehk, 64);
      const all = new OneKeyAggregate('k', ehk, 64);
      for (const a of [careful, one, all]) a.add(Buffer.from('before'));
      for (let i = from; i < to; i++) careful.add(Buffer.from(src.subarray(starts[i], ends[i])));
      for (let i = from; i < to; i++) one.addRange(src, starts[i]!, ends[i]!);
      all.addRanges(src, starts, ends, from, to);
      const expected = careful.build();
      for (const a of [one, all]) {
        expect(a.count).to.equal(careful.count);
        expect(a.size).to.equal(careful.size);
        expect(a.build().equals(expected)).to.equal(true, `lines ${from} to ${to}`);
      }
    }
  });

  it('copies each record, so the caller may reuse its buffer at once', () => {
    const a = new OneKeyAggregate('k', '1', 1024);
    const scratch = Buffer.from('first');
    const view = a.add(scratch);
    scratch.write('XXXXX');
    a.add(Buffer.from('second'));
    expect(view.toString()).to.equal('first');
    expect(
      deaggregate(a.build(), 'k').map((u) => Buffer.from(u.data, 'base64').toString()),
    ).to.deep.equal(['first', 'second']);
  });
});

/** The aggregate as written field by field through ProtobufWriter, sized up front. */
function fieldByField(key: string, ehk: string, records: Buffer[]): Buffer {
  const k = Buffer.from(key);
  const h = Buffer.from(ehk, 'latin1');
  let body = lengthDelimitedSize(k.length) + lengthDelimitedSize(h.length);
  for (const r of records) body += lengthDelimitedSize(4 + lengthDelimitedSize(r.length));
  const out = Buffer.alloc(4 + body + 16);
  out.set(KplAggregateFormat.MAGIC, 0);
  const w = new ProtobufWriter(out.subarray(4, 4 + body));
  w.bytesField(1, k);
  w.bytesField(2, h);
  for (const r of records) {
    w.lengthPrefix(3, 4 + lengthDelimitedSize(r.length));
    w.varintField(1, 0);
    w.varintField(2, 0);
    w.bytesField(3, r);
  }
  createHash('md5')
    .update(out.subarray(4, 4 + body))
    .digest()
    .copy(out, 4 + body);
  return out;
}
