import { expect } from 'chai';
import { recordLevel, recordTime, takesTimestamp } from '../../../src/winston/record-head.js';

describe('record head', () => {
  it("reads winston's level symbol before info.level", () => {
    expect(
      recordLevel({ level: '\u001b[31merror\u001b[39m', [Symbol.for('level')]: 'error' }),
    ).to.equal('error');
    expect(recordLevel({ level: 'warn' })).to.equal('warn');
  });

  it('takes time, else timestamp, else now', () => {
    const both = { time: 't', timestamp: 's' };
    expect(takesTimestamp(both)).to.equal(false);
    expect(recordTime(both, takesTimestamp(both))).to.equal('t');
    const stamped = { timestamp: 's' };
    expect(takesTimestamp(stamped)).to.equal(true);
    expect(recordTime(stamped, true)).to.equal('s');
    const bare = {};
    expect(takesTimestamp(bare)).to.equal(false);
    expect(Date.parse(recordTime(bare, false) as string)).to.be.closeTo(Date.now(), 5_000);
  });
});
