import { Readable } from 'node:stream';
import { expect } from 'chai';
import { takeJsonAnswer } from '../../../src/aws/take-json-answer.js';

/** What the SDK's body collector accepts: bytes as they are, or a stream of chunks. */
async function bodyText(body: unknown): Promise<string> {
  if (body instanceof Uint8Array) return Buffer.from(body).toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}

describe('takeJsonAnswer', () => {
  it('parses a 200 JSON body from its chunks and hands the SDK the empty answer instead', async () => {
    const text = '{"Records":[{"Data":"eA=="}],"NextShardIterator":null}';
    const response = {
      statusCode: 200,
      body: Readable.from([text.slice(0, 9), Buffer.from(text.slice(9))]),
    };
    expect(await takeJsonAnswer(response, '{}')).to.deep.equal(JSON.parse(text));
    expect(await bodyText(response.body)).to.equal('{}');
  });

  it('reads one chunk in place and views chunks of other byte arrays, multi-byte text split between them', async () => {
    const text = '{"ErrorMessage":"é \\u0000 ☃ 😀","n":[1,2,3]}';
    const bytes = Buffer.from(text);
    const shared = new Uint8Array(bytes.length + 8);
    shared.set(bytes, 4);
    const cases: unknown[][] = [
      [bytes],
      [shared.subarray(4, 4 + bytes.length)],
      [bytes.subarray(0, 21), new Uint8Array(bytes.subarray(21))],
      [...bytes].map((b) => Uint8Array.of(b)),
    ];
    for (const chunks of cases) {
      const response = { statusCode: 200, body: Readable.from(chunks) };
      expect(await takeJsonAnswer(response, '{}')).to.deep.equal(JSON.parse(text));
    }
    // A body that is not JSON is put back whole, whichever way it came.
    const partial = { statusCode: 200, body: Readable.from([shared.subarray(4, 10)]) };
    expect(await takeJsonAnswer(partial, '{}')).to.equal(undefined);
    expect(await bodyText(partial.body)).to.equal(text.slice(0, 6));
  });

  it('leaves error statuses untouched and puts back a body that is not JSON', async () => {
    const error = {
      statusCode: 400,
      body: Readable.from(['{"__type":"ExpiredIteratorException"}']),
    };
    const body = error.body;
    expect(await takeJsonAnswer(error, '{}')).to.equal(undefined);
    expect(error.body).to.equal(body);
    for (const text of ['<html>busy</html>', '']) {
      const response = { statusCode: 200, body: Readable.from([Buffer.from(text)]) };
      expect(await takeJsonAnswer(response, '{}'), text).to.equal(undefined);
      expect(await bodyText(response.body)).to.equal(text);
    }
    expect(await takeJsonAnswer(undefined, '{}')).to.equal(undefined);
    expect(await takeJsonAnswer({ statusCode: 200, body: 'not a stream' }, '{}')).to.equal(
      undefined,
    );
  });
});
