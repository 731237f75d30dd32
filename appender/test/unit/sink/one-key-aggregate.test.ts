import { createRequire } from 'node:module';
import { expect } from 'chai';
import { OneKeyAggregate } from '../../../src/sink/one-key-aggregate.js';

interface AggUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  data: string;
}
interface AggModule {
  deaggregateSync(
    record: { data: string; partitionKey: string; explicitPartitionKey?: string },
    computeChecksums: boolean,
    done: (err: Error | null, users?: AggUserRecord[]) => void,
  ): void;
}
const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AggModule;

function deaggregate(data: Buffer, partitionKey: string): AggUserRecord[] {
  let out: AggUserRecord[] = [];
  agg.deaggregateSync({ data: data.toString('base64'), partitionKey }, true, (err, users) => {
    if (err) throw err;
    out = users ?? [];
  });
  return out;
}

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
});
