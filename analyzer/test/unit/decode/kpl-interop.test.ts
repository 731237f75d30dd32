import { expect } from 'chai';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { LogEvent } from '@kinlog/core';
import { RecordDecoder } from '../../../src/decode/record-decoder.js';

/** The part of aws-kinesis-agg's API its typings leave out. */
interface RecordAggregatorCtor {
  new (): {
    addUserRecord(record: { partitionKey: string; explicitHashKey?: string; data: Buffer }): void;
    build(): { partitionKey: string; explicitHashKey?: string; data: Buffer };
  };
}
const { RecordAggregator } = createRequire(import.meta.url)('aws-kinesis-agg') as {
  RecordAggregator: RecordAggregatorCtor;
};

function decodeAll(payloads: Buffer[]): LogEvent[] {
  const decoder = new RecordDecoder();
  const events: LogEvent[] = [];
  for (const p of payloads) decoder.decode(p, (event) => events.push(event));
  return events;
}

describe('records aggregated by aws-kinesis-agg', () => {
  it('decode into exactly the original events, explicit hash keys and all', () => {
    const aggregator = new RecordAggregator();
    const sent = Array.from({ length: 50 }, (_, i) => ({
      id: i,
      level: i % 5 === 0 ? 'error' : 'info',
      msg: `event ${i}`,
    }));
    sent.forEach((event, i) =>
      aggregator.addUserRecord({
        partitionKey: `key-${i % 7}`,
        ...(i % 3 === 0 ? { explicitHashKey: String(BigInt(i) * 1_000_000_007n) } : {}),
        data: Buffer.from(JSON.stringify(event)),
      }),
    );
    const built = aggregator.build();
    expect([...built.data.subarray(0, 4)]).to.deep.equal([0xf3, 0x89, 0x9a, 0xc2]);
    const events = decodeAll([built.data]);
    expect(events.map((e) => ({ id: e.id, level: e.level, msg: e.msg }))).to.deep.equal(sent);
  });

  it('decode gzip inside the aggregate next to plain records in the same stream', () => {
    const aggregator = new RecordAggregator();
    aggregator.addUserRecord({ partitionKey: 'a', data: gzipSync(Buffer.from('{"id":"zipped"}')) });
    aggregator.addUserRecord({ partitionKey: 'b', data: Buffer.from('{"id":"plain-inside"}') });
    const events = decodeAll([
      aggregator.build().data,
      Buffer.from('{"id":"plain"}'),
      gzipSync('{"id":"gz"}'),
    ]);
    expect(events.map((e) => e.id)).to.deep.equal(['zipped', 'plain-inside', 'plain', 'gz']);
  });
});
