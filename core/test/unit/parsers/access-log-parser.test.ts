import { expect } from 'chai';
import { createAccessLogParser } from '../../../src/parsers/access-log-parser.js';

describe('createAccessLogParser', () => {
  const parse = createAccessLogParser();

  it('parses the combined format', () => {
    const line =
      '203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1&y=2 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    expect(parse(line)).to.deep.equal({
      time: '2000-10-10T20:55:36.000Z',
      level: 'info',
      msg: 'GET /apache_pb.gif?x=1&y=2 HTTP/1.0',
      clientIp: '203.0.113.9',
      user: 'frank',
      method: 'GET',
      path: '/apache_pb.gif?x=1&y=2',
      protocol: 'HTTP/1.0',
      status: 200,
      bytes: 2326,
      referrer: 'http://www.example.com/start.html',
      agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
  });

  it('parses the common format, with - bytes as 0 and a positive offset', () => {
    const event = parse(
      '192.168.1.20 - - [01/Mar/2024:00:30:00 +0100] "POST /api/orders HTTP/1.1" 503 -',
    );
    expect(event).to.deep.equal({
      time: '2024-02-29T23:30:00.000Z',
      level: 'error',
      msg: 'POST /api/orders HTTP/1.1',
      clientIp: '192.168.1.20',
      method: 'POST',
      path: '/api/orders',
      protocol: 'HTTP/1.1',
      status: 503,
      bytes: 0,
    });
  });

  it('derives the level from the status', () => {
    const levelOf = (status: number) =>
      parse(`10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" ${status} 1`).level;
    expect([200, 302, 404, 499, 500, 504].map(levelOf)).to.deep.equal([
      'info',
      'info',
      'warn',
      'warn',
      'error',
      'error',
    ]);
  });

  it('parses nginx combined with extra trailing fields and - referrer', () => {
    const event = parse(
      '2001:db8::1 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 404 318 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)" "10.1.2.3" 0.003\r',
    );
    expect(event['clientIp']).to.equal('2001:db8::1');
    expect(event).not.to.have.property('referrer');
    expect(event['agent']).to.equal('Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)');
    expect(event.status).to.equal(404);
    expect(event['extra']).to.equal('"10.1.2.3" 0.003');
  });

  it('keeps custom fields after the combined format in extra', () => {
    const event = parse(
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 502 12 "-" "curl/8" rt=0.412 uct="0.001" urt="0.410" req-7f3a',
    );
    expect(event).to.include({ status: 502, agent: 'curl/8' });
    expect(event['extra']).to.equal('rt=0.412 uct="0.001" urt="0.410" req-7f3a');
    const common = parse(
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 12 0.004',
    );
    expect(common['extra']).to.equal('0.004');
    expect(
      parse('10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a HTTP/1.1" 200 12 "-" "x"  '),
    ).not.to.have.property('extra');
  });

  it('keeps escaped quotes inside the request and user agent', () => {
    const event = parse(
      '10.0.0.7 - - [10/Oct/2000:13:55:36 +0000] "GET /q?s=\\"x\\" HTTP/1.1" 400 0 "-" "curl \\"7\\""',
    );
    expect(event['path']).to.equal('/q?s=\\"x\\"');
    expect(event['agent']).to.equal('curl \\"7\\"');
  });

  it('parses a junk request line (TLS to port 80) without method and path', () => {
    const event = parse(
      '198.51.100.4 - - [10/Oct/2000:13:55:36 +0000] "\\x16\\x03\\x01\\x00\\xA5\\x01" 400 166 "-" "-"',
    );
    expect(event.status).to.equal(400);
    expect(event.msg).to.equal('\\x16\\x03\\x01\\x00\\xA5\\x01');
    expect(event).not.to.have.property('method');
    expect(event).not.to.have.property('agent');
  });

  it('drops an impossible date but keeps the request', () => {
    const event = parse('10.0.0.1 - - [31/Feb/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1');
    expect(event).not.to.have.property('time');
    expect(event.status).to.equal(200);
  });

  for (const line of [
    '',
    '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" abc 12',
    '10.0.0.1 - - [yesterday] "GET / HTTP/1.1" 200 12',
    '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1 200 12',
    '[Sun Dec 04 04:47:44 2005] [error] not an access log',
    '10.0.0.1 \uFFFD\uFFFD [10/Oct/2000:13:55:36 -0700] "GET /',
  ]) {
    it(`flags ${JSON.stringify(line)} as unparsed`, () => {
      expect(parse(line)).to.deep.equal({ msg: line, parseError: true });
    });
  }
});
