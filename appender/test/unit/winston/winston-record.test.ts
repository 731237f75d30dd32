import { expect } from 'chai';
import { encodeEvent } from '../../../src/sink/encode-event.js';
import { winstonEvent } from '../../../src/winston/winston-event.js';
import { winstonRecord } from '../../../src/winston/winston-record.js';
import { bigInfos, infoOf, oddInfos, ODD_INFO_TIMESTAMP } from './support/odd-infos.js';

describe('winstonRecord', () => {
  it('writes the request log line in our field order, timestamp as time', () => {
    const info = infoOf('info', 'request completed', { page: '/a', status: 200 });
    expect(winstonRecord(info)).to.equal(
      `{"time":"${ODD_INFO_TIMESTAMP}","level":"info","msg":"request completed","page":"/a","status":200}`,
    );
  });

  for (const { name, info } of [...oddInfos(), ...bigInfos()]) {
    it(`writes what encodeEvent(winstonEvent(info)) writes, byte for byte: ${name}`, () => {
      expect(winstonRecord(info)).to.equal(encodeEvent(winstonEvent(info)));
    });
  }

  it('takes the current time when the info has none', () => {
    const before = Date.now();
    const out = JSON.parse(winstonRecord({ level: 'info', message: 'no time' })) as {
      time: string;
    };
    expect(Date.parse(out.time)).to.be.within(before, Date.now());
    expect(out.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('throws where winstonEvent throws: a getter of the info that throws', () => {
    const info = infoOf('info', 'hostile');
    Object.defineProperty(info, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    expect(() => winstonEvent(info)).to.throw('getter');
    expect(() => winstonRecord(info)).to.throw('getter');
  });
});
