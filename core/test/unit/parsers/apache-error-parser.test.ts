import { expect } from 'chai';
import { createApacheErrorParser } from '../../../src/parsers/apache-error-parser.js';

describe('createApacheErrorParser', () => {
  const parse = createApacheErrorParser();

  it('parses the 2.2 layout', () => {
    expect(
      parse('[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6'),
    ).to.deep.equal({
      time: '2005-12-04T04:47:44.000Z',
      level: 'error',
      apacheLevel: 'error',
      msg: 'mod_jk child workerEnv in error state 6',
    });
  });

  it('parses a 2.2 client without a port', () => {
    expect(
      parse(
        '[Sun Dec 04 05:15:09 2005] [error] [client 222.166.160.184] Directory index forbidden by rule: /var/www/html/',
      ),
    ).to.deep.equal({
      time: '2005-12-04T05:15:09.000Z',
      level: 'error',
      apacheLevel: 'error',
      clientIp: '222.166.160.184',
      msg: 'Directory index forbidden by rule: /var/www/html/',
    });
  });

  it('parses the 2.4 layout with module, pid, tid, client and port', () => {
    expect(
      parse(
        '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:50023] AH00126: Invalid URI in request GET /../etc/passwd HTTP/1.1',
      ),
    ).to.deep.equal({
      time: '2000-10-11T14:32:52.123Z',
      level: 'error',
      apacheLevel: 'error',
      module: 'core',
      pid: 35708,
      tid: 4328636416,
      clientIp: '72.15.99.187',
      clientPort: 50023,
      msg: 'AH00126: Invalid URI in request GET /../etc/passwd HTTP/1.1',
    });
  });

  it('splits the port off a 2.4 IPv6 client', () => {
    const event = parse(
      '[Thu Mar 07 09:00:01.5 2024] [authz_core:error] [pid 77] [client ::1:51234] AH01630: client denied',
    );
    expect(event).to.include({ clientIp: '::1', clientPort: 51234, module: 'authz_core', pid: 77 });
  });

  it('maps Apache levels onto kinlog levels', () => {
    const levelOf = (l: string) => parse(`[Sun Dec 04 04:47:44 2005] [${l}] x`).level;
    expect(
      ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug', 'trace3'].map(levelOf),
    ).to.deep.equal(['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug', 'trace']);
  });

  it('reads the zone-less date at the assumed offset', () => {
    const east = createApacheErrorParser({ assumedUtcOffsetMinutes: 60 });
    expect(east('[Sun Dec 04 00:30:00 2005] [notice] x\r')).to.include({
      time: '2005-12-03T23:30:00.000Z',
      msg: 'x',
    });
  });

  it('parses an empty message', () => {
    expect(parse('[Sun Dec 04 04:47:44 2005] [notice]').msg).to.equal('');
  });

  for (const line of [
    '',
    '[Sun Dec 04 04:47:44 2005] error mod_jk',
    '[Sun Dec 04 04:47:44 2005] [ERROR] shouting',
    '[yesterday] [error] x',
    '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12',
    '[Sun Dec \uFFFD\uFFFD 04:47:44 2005] [error] x',
  ]) {
    it(`flags ${JSON.stringify(line)} as unparsed`, () => {
      expect(parse(line)).to.deep.equal({ msg: line, parseError: true });
    });
  }
});
