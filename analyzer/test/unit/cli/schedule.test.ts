import { expect } from 'chai';
import { isDuration, parseSchedule, type Schedule } from '../../../src/cli/schedule.js';

/** A fixed start: Friday 6 March 2026, 10:17:30 UTC. */
const FROM = new Date('2026-03-06T10:17:30Z');

function schedule(text: string, timezone?: string): Schedule {
  const parsed = parseSchedule(text, timezone === undefined ? {} : { timezone });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** The next `count` fire times after `from`, as ISO strings. */
function fireTimes(next: Schedule, from: Date, count: number): string[] {
  const times: string[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    at = next(at);
    times.push(at.toISOString());
  }
  return times;
}

describe('parseSchedule', () => {
  it('keeps durations: the next run is that long after the previous start', () => {
    expect(schedule('5m')(FROM).toISOString()).to.equal('2026-03-06T10:22:30.000Z');
    expect(schedule('90s')(FROM).getTime() - FROM.getTime()).to.equal(90_000);
    expect(schedule('2h')(FROM).getTime() - FROM.getTime()).to.equal(7_200_000);
    expect(isDuration('5m')).to.equal(true);
    expect(isDuration('@hourly')).to.equal(false);
  });

  it('fires five-field cron expressions at their next matching minutes', () => {
    expect(fireTimes(schedule('*/15 * * * *', 'UTC'), FROM, 3)).to.deep.equal([
      '2026-03-06T10:30:00.000Z',
      '2026-03-06T10:45:00.000Z',
      '2026-03-06T11:00:00.000Z',
    ]);
    // A start exactly on a fire time runs the next one, not the same one again.
    expect(
      schedule('*/15 * * * *', 'UTC')(new Date('2026-03-06T10:30:00Z')).toISOString(),
    ).to.equal('2026-03-06T10:45:00.000Z');
  });

  it('reads day and month names', () => {
    // Friday morning: the next weekday 08:00 is Monday.
    expect(fireTimes(schedule('0 8 * * MON-FRI', 'UTC'), FROM, 2)).to.deep.equal([
      '2026-03-09T08:00:00.000Z',
      '2026-03-10T08:00:00.000Z',
    ]);
    expect(schedule('0 8 * * mon-fri', 'UTC')(FROM).toISOString()).to.equal(
      '2026-03-09T08:00:00.000Z',
    );
    expect(fireTimes(schedule('30 6 1 JAN,JUL *', 'UTC'), FROM, 2)).to.deep.equal([
      '2026-07-01T06:30:00.000Z',
      '2027-01-01T06:30:00.000Z',
    ]);
    // Either restricted day field may match, as in cron: the 13th, or any Friday.
    expect(fireTimes(schedule('0 0 13 * FRI', 'UTC'), FROM, 3)).to.deep.equal([
      '2026-03-13T00:00:00.000Z',
      '2026-03-20T00:00:00.000Z',
      '2026-03-27T00:00:00.000Z',
    ]);
  });

  it('reads macros', () => {
    const next = (macro: string): string => schedule(macro, 'UTC')(FROM).toISOString();
    expect(next('@hourly')).to.equal('2026-03-06T11:00:00.000Z');
    expect(next('@daily')).to.equal('2026-03-07T00:00:00.000Z');
    expect(next('@midnight')).to.equal('2026-03-07T00:00:00.000Z');
    expect(next('@weekly')).to.equal('2026-03-08T00:00:00.000Z'); // Sunday
    expect(next('@monthly')).to.equal('2026-04-01T00:00:00.000Z');
    expect(next('@yearly')).to.equal('2027-01-01T00:00:00.000Z');
    expect(next('@annually')).to.equal('2027-01-01T00:00:00.000Z');
  });

  it('reads the fields in the given time zone, across daylight-saving changes', () => {
    // 08:00 in Berlin is 07:00 UTC in winter (CET) and 06:00 UTC in summer (CEST, from 29 March).
    const berlin = schedule('0 8 * * MON-FRI', 'Europe/Berlin');
    expect(berlin(FROM).toISOString()).to.equal('2026-03-09T07:00:00.000Z');
    expect(berlin(new Date('2026-03-27T12:00:00Z')).toISOString()).to.equal(
      '2026-03-30T06:00:00.000Z',
    );
    expect(schedule('@daily', 'America/New_York')(FROM).toISOString()).to.equal(
      '2026-03-07T05:00:00.000Z',
    );
    // Tokyo is already at Saturday 02:17 when UTC is at Friday 17:17: the next weekday is Monday.
    expect(
      schedule('0 8 * * MON-FRI', 'Asia/Tokyo')(new Date('2026-03-06T17:17:00Z')).toISOString(),
    ).to.equal('2026-03-08T23:00:00.000Z');
  });

  it('reads the fields in local time without a zone', () => {
    const from = new Date(2026, 2, 6, 10, 17, 30); // Friday, local time
    expect(schedule('0 8 * * MON-FRI')(from)).to.deep.equal(new Date(2026, 2, 9, 8, 0));
    expect(schedule('@daily')(from)).to.deep.equal(new Date(2026, 2, 7, 0, 0));
  });

  it('names the expression and the problem when it is invalid', () => {
    expect(parseSchedule('5x')).to.equal(
      '"5x" is neither a duration like 5m nor a cron expression: invalid configuration format (\'5x\'), exactly five, six, or seven space separated parts are required.',
    );
    expect(parseSchedule('61 * * * *')).to.match(/^"61 \* \* \* \*" is not a valid cron .*minute/);
    expect(parseSchedule('0 8 * * MOON')).to.match(/^"0 8 \* \* MOON" is not a valid cron/);
    expect(parseSchedule('@sometimes')).to.match(/^"@sometimes" is not a valid cron/);
    // Seconds are not a field of kinlog's schedules: five fields only.
    expect(parseSchedule('0 0 8 * * *')).to.match(
      /^"0 0 8 \* \* \*" is not a valid cron .*5 parts/,
    );
    expect(parseSchedule('0 0 30 FEB *')).to.equal('"0 0 30 FEB *" never fires');
    expect(parseSchedule('10ms')).to.equal(
      '"10ms": interval must be from 1000 ms to 2678400000 ms',
    );
    expect(parseSchedule('@daily', { timezone: 'Mars/Base' })).to.equal(
      '"Mars/Base" is not an IANA time zone (e.g. Europe/Berlin, UTC)',
    );
  });
});
