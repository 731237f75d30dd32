import { expect } from 'chai';
import { parseSchedule, type Schedule } from '../../../src/index.js';

describe('parseSchedule', () => {
  it('reads durations and five-field cron expressions', () => {
    const from = new Date(2025, 0, 6, 10, 7, 30); // a Monday
    expect((parseSchedule('5m') as Schedule)(from).getTime() - from.getTime()).to.equal(300_000);
    const quarter = parseSchedule('*/15 * * * *') as Schedule;
    expect(quarter(from)).to.deep.equal(new Date(2025, 0, 6, 10, 15));
    const weekdayMorning = parseSchedule('0 8 * * 1-5') as Schedule;
    expect(weekdayMorning(new Date(2025, 0, 10, 9))).to.deep.equal(new Date(2025, 0, 13, 8, 0)); // Fri → Mon
  });

  it('explains what is wrong', () => {
    expect(parseSchedule('5x')).to.be.a('string');
    expect(parseSchedule('61 * * * *')).to.contain('minute');
    expect(parseSchedule('10ms')).to.contain('interval');
  });
});
