import { expect } from 'chai';
import {
  cutUtf8,
  fitRecord,
  TRUNCATED_FIELD,
  TRUNCATION_MARKER,
} from '../../../src/sink/fit-record.js';

const MiB = 1024 * 1024;

describe('fitRecord', () => {
  it('leaves records under the limit alone', () => {
    expect(fitRecord('{"a":1}', 100)).to.equal('{"a":1}');
  });

  it('truncates the longest field of a JSON event and keeps it valid JSON', () => {
    const original = JSON.stringify({ level: 'error', time: 't', msg: 'x'.repeat(3 * MiB) });
    const out = fitRecord(original, MiB - 10);
    expect(Buffer.byteLength(out)).to.be.at.most(MiB - 10);
    const event = JSON.parse(out) as Record<string, unknown>;
    expect(event.level).to.equal('error');
    expect(event.time).to.equal('t');
    expect(event[TRUNCATED_FIELD]).to.equal(Buffer.byteLength(original));
    expect(event.msg)
      .to.be.a('string')
      .that.satisfies((m: string) => m.endsWith(TRUNCATION_MARKER));
    expect((event.msg as string).length).to.be.greaterThan(MiB - 1000);
  });

  it('handles strings that grow when JSON-escaped', () => {
    const original = JSON.stringify({ msg: '"\n\u0001'.repeat(400_000) });
    const out = fitRecord(original, 100_000);
    expect(Buffer.byteLength(out)).to.be.at.most(100_000);
    expect(() => JSON.parse(out) as unknown).to.not.throw();
  });

  it('cuts non-JSON text at a character boundary and marks it', () => {
    const out = fitRecord('é'.repeat(1000), 101);
    expect(Buffer.byteLength(out)).to.be.at.most(101);
    expect(out.endsWith(TRUNCATION_MARKER)).to.equal(true);
    expect(out).to.not.contain('\uFFFD');
  });

  it('cuts UTF-8 without splitting multi-byte characters', () => {
    expect(cutUtf8('héllo', 2)).to.equal('h');
    expect(cutUtf8('héllo', 3)).to.equal('hé');
    expect(cutUtf8('😀😀', 5)).to.equal('😀');
    expect(cutUtf8('abc', 0)).to.equal('');
  });
});
