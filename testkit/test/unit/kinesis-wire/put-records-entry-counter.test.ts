import { describe, it } from 'mocha';
import { expect } from 'chai';
import { createEntryCounter } from '../../../src/kinesis-wire/put-records-entry-counter.js';
import { cborRecordCount, encodeCborValue } from '../../../src/kinesis-wire/aws-cbor.js';
import { WireProtocols, type WireProtocol } from '../../../src/kinesis-wire/aws-json.js';

const MARKER = Buffer.from('"PartitionKey":');

/** The whole-body counts the endpoint used before counting by chunks. */
function wholeBodyCount(body: Buffer, protocol: WireProtocol): number {
  if (protocol === WireProtocols.CBOR) {
    try {
      return cborRecordCount(body) ?? 0;
    } catch {
      return 0;
    }
  }
  let n = 0;
  for (let at = body.indexOf(MARKER); at !== -1; at = body.indexOf(MARKER, at + 1)) n++;
  return n;
}

function countChunks(chunks: readonly Buffer[], protocol: WireProtocol): number {
  const counter = createEntryCounter(protocol);
  for (const chunk of chunks) counter.push(chunk);
  return counter.count();
}

function chunksOf(body: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

/** Splits at every offset into two, and into chunks of every size up to `maxChunk`. */
function expectSameAtEveryCut(body: Buffer, protocol: WireProtocol, maxChunk = 40): void {
  const whole = wholeBodyCount(body, protocol);
  expect(countChunks([body], protocol)).to.equal(whole);
  for (let cut = 0; cut <= body.length; cut++) {
    const n = countChunks([body.subarray(0, cut), body.subarray(cut)], protocol);
    if (n !== whole) expect.fail(`cut at ${cut}: ${n} entries, whole body ${whole}`);
  }
  for (let size = 1; size <= maxChunk; size++) {
    const n = countChunks(chunksOf(body, size), protocol);
    if (n !== whole) expect.fail(`chunks of ${size}: ${n} entries, whole body ${whole}`);
  }
}

const records = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    Data: Buffer.from(`{"msg":"line ${i}","PartitionKey":"x"}`),
    // Keys holding the marker's text are escaped in JSON: they must not count.
    PartitionKey: i % 3 === 0 ? `"PartitionKey":${i}` : `key-${i}`,
  }));

const jsonBody = (count: number): Buffer =>
  Buffer.from(
    JSON.stringify({
      StreamName: 'bench',
      Records: records(count).map((r) => ({
        Data: r.Data.toString('base64'),
        PartitionKey: r.PartitionKey,
      })),
    }),
  );

describe('createEntryCounter', () => {
  it('counts a JSON body cut anywhere as the whole body counts', () => {
    const body = jsonBody(30);
    expect(wholeBodyCount(body, WireProtocols.JSON)).to.equal(30);
    expectSameAtEveryCut(body, WireProtocols.JSON);
  });

  it('counts JSON markers that lie across three chunks and back-to-back markers', () => {
    const body = Buffer.from(`[${'"PartitionKey":'.repeat(5)}"PartitionKey":]`);
    expectSameAtEveryCut(body, WireProtocols.JSON, body.length);
    expect(countChunks(chunksOf(body, 1), WireProtocols.JSON)).to.equal(6);
    expect(countChunks([], WireProtocols.JSON)).to.equal(0);
  });

  it('counts a full 500-entry JSON body in the chunk sizes a socket gives', () => {
    const body = jsonBody(500);
    for (const size of [1_000, 16_384, 65_536]) {
      expect(countChunks(chunksOf(body, size), WireProtocols.JSON)).to.equal(500);
    }
  });

  it('counts a CBOR body cut anywhere as the whole body counts', () => {
    const bodies = [
      encodeCborValue({ StreamName: 'bench', Records: records(30) }),
      encodeCborValue({ Records: records(3), StreamName: 'bench' }),
      encodeCborValue({ StreamName: 'x'.repeat(300), Records: records(2) }),
      encodeCborValue({ StreamName: 'bench' }),
      encodeCborValue([1, 2]),
      // Indefinite map and array: counted item by item, to the end of the body.
      Buffer.from('bf6a53747265616d4e616d656178675265636f7264739f0102ffff', 'hex'),
      Buffer.from('bf675265636f7264739f0102ffff', 'hex'),
      // Malformed (a reserved head) and cut short.
      Buffer.from('a2675265636f7264739c', 'hex'),
      encodeCborValue({ Records: records(4) }).subarray(0, 5),
    ];
    for (const body of bodies) expectSameAtEveryCut(body, WireProtocols.CBOR);
    expect(countChunks([], WireProtocols.CBOR)).to.equal(0);
  });

  it('counts an indefinite-length CBOR array longer than the head it re-reads', () => {
    const entries = encodeCborValue(records(2_000)).subarray(3); // items after a definite head
    const body = Buffer.concat([
      Buffer.from('a1675265636f726473', 'hex'),
      Buffer.from([0x9f]),
      entries,
      Buffer.from([0xff]),
    ]);
    expect(body.length).to.be.greaterThan(64 * 1024);
    expect(wholeBodyCount(body, WireProtocols.CBOR)).to.equal(2_000);
    for (const size of [1_024, 16_384]) {
      expect(countChunks(chunksOf(body, size), WireProtocols.CBOR)).to.equal(2_000);
    }
  });
});
