import { expect } from 'chai';
import { createSyslogParser } from '../../../src/parsers/syslog-parser.js';

describe('createSyslogParser', () => {
  const nowMs = (): number => Date.UTC(2024, 4, 20);
  const parse = createSyslogParser({ nowMs });

  it('reads RFC 5424 with structured data', () => {
    expect(
      parse(
        '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App\\]"] An application event',
      ),
    ).to.deep.equal({
      time: '2003-10-11T22:14:15.003Z',
      host: 'mymachine.example.com',
      app: 'evntslog',
      msgId: 'ID47',
      structuredData: '[exampleSDID@32473 iut="3" eventSource="App\\]"]',
      facility: 20,
      severity: 5,
      level: 'info',
      msg: 'An application event',
    });
    expect(parse('<11>1 - - - - - -')).to.deep.equal({
      facility: 1,
      severity: 3,
      level: 'error',
      msg: '',
    });
  });

  it('reads RFC 3164 with and without PRI, BSD or ISO times', () => {
    expect(parse('<34>Oct 11 22:14:15 mymachine su[123]: su root failed')).to.deep.equal({
      time: '2023-10-11T22:14:15.000Z', // October is months ahead of May 2024: last year's
      host: 'mymachine',
      app: 'su',
      pid: '123',
      facility: 4,
      severity: 2,
      level: 'fatal',
      msg: 'su root failed',
    });
    expect(parse('May  3 01:02:03 web-1 kernel: CPU0: ERROR temperature high')).to.deep.equal({
      time: '2024-05-03T01:02:03.000Z',
      host: 'web-1',
      app: 'kernel',
      level: 'error',
      msg: 'CPU0: ERROR temperature high',
    });
    expect(parse('2024-05-01T12:00:00.5+02:00 web-1 nginx[77]: up')).to.include({
      time: '2024-05-01T10:00:00.500Z',
      app: 'nginx',
      pid: '77',
      msg: 'up',
    });
  });

  it('turns down what is not syslog', () => {
    expect(parse('hello')).to.include({ parseError: true });
    // A PRI past 191 is no priority: the record is read, without a level.
    expect(parse('<999>1 - - - - - - x')).to.deep.equal({ msg: 'x' });
  });
});
