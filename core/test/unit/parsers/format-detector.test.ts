import { expect } from 'chai';
import { accessEvent } from '../../../src/parsers/access-log-parser.js';
import {
  autoAccessLine,
  detectFormat,
  FORMAT_DETECTOR_VERSION,
  FormatDetector,
  LogFormatNames,
  type LogFormat,
} from '../../../src/parsers/format-detector.js';
import { accessLineReaderOf, getParser } from '../../../src/parsers/parsers.js';
import { accessLineCorpus } from './support/access-line-corpus.js';

const APACHE =
  '203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /checkout?id=1 HTTP/1.1" 503 2326 "http://r/" "UA/1.0"';
const NGINX_COMMON = '10.1.2.3 - bob [10/Oct/2000:13:55:36 +0000] "POST /api HTTP/1.1" 404 0';
const IPV6_HOST = '::1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5';
const HADOOP =
  '2015-10-18 18:01:47,978 ERROR [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Error starting MRAppMaster';
const ZOOKEEPER =
  '2015-07-29 17:41:44,747 - WARN  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200';
const SPARK =
  '17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers';
const HDFS = '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating';
const APACHE_ERROR = '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6';
const SYSLOG_5424 = '<11>1 2024-05-01T12:00:00.003Z web-1 api 77 ID47 [meta@1 req="7"] disk full';
const SYSLOG_3164 = '<34>Oct 11 22:14:15 mymachine su[123]: su root failed on /dev/pts/8';
const SYSLOG_FILE =
  'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0';
const JSON_LINE = '{"level":50,"time":1700000000000,"msg":"boom","status":503}';

function formatOf(line: string): LogFormat {
  return detectFormat(line).format;
}

describe('FormatDetector', () => {
  it('has a version and a fixed list of formats', () => {
    expect(FORMAT_DETECTOR_VERSION).to.be.a('number').and.to.be.greaterThan(0);
    expect(LogFormatNames).to.deep.equal([
      'json',
      'access',
      'apacheError',
      'log4j',
      'syslog',
      'raw',
    ]);
  });

  it('classifies each line by its own format', () => {
    const cases: [string, LogFormat][] = [
      [JSON_LINE, 'json'],
      ['\uFEFF{"a":1}', 'json'],
      [' {"a":1}', 'json'],
      [APACHE, 'access'],
      [NGINX_COMMON, 'access'],
      [IPV6_HOST, 'access'],
      [HADOOP, 'log4j'],
      [ZOOKEEPER, 'log4j'],
      [SPARK, 'log4j'],
      [HDFS, 'log4j'],
      [APACHE_ERROR, 'apacheError'],
      [SYSLOG_5424, 'syslog'],
      [SYSLOG_3164, 'syslog'],
      [SYSLOG_FILE, 'syslog'],
      ['2024-05-01T12:00:00.123456+02:00 web-1 nginx[77]: upstream timed out', 'syslog'],
      ['{"not json', 'raw'],
      ['[1, 2, 3]', 'raw'],
      ['<html>', 'raw'],
      ['2024 was a good year', 'raw'],
      ['', 'raw'],
      ['plain text', 'raw'],
    ];
    for (const [line, format] of cases) expect(formatOf(line), line).to.equal(format);
  });

  it('reads each format exactly as its own parser does', () => {
    const pairs: [string, Parameters<typeof getParser>[0]][] = [
      [JSON_LINE, 'json'],
      [APACHE, 'apache'],
      [HADOOP, 'log4j'],
      [ZOOKEEPER, 'log4j'],
      [APACHE_ERROR, 'apacheError'],
      [SYSLOG_5424, 'syslog'],
    ];
    for (const [line, name] of pairs) {
      expect(detectFormat(line).event, line).to.deep.equal(getParser(name, {})(line));
    }
  });

  it('reads the level of a raw line from its first standalone upper-case level word', () => {
    const level = (line: string): unknown => detectFormat(line).event.level;
    expect(
      level(
        '- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 RAS KERNEL FATAL data TLB error interrupt',
      ),
    ).to.equal('fatal');
    expect(level('RAS KERNEL INFO instruction cache parity error corrected')).to.equal('info');
    expect(level('instruction cache parity error corrected')).to.equal(undefined);
    expect(level('app [ERROR] db down')).to.equal('error');
    expect(level('ERROR: db down')).to.equal('error');
    expect(level('nova-api.log 2017-05-16 00:00:00.008 25746 ERROR nova.x [req-1] boom')).to.equal(
      'error',
    );
    expect(level('x WARNING: disk 91%')).to.equal('warn');
    expect(level('x SEVERE y')).to.equal('error');
    expect(level('x CRIT y')).to.equal('fatal');
    expect(level('x NOTICE y')).to.equal('info');
    expect(level('ERRORS=0 X_ERROR ERROR_CODE Error')).to.equal(undefined);
    expect(level('ok ERR then FATAL')).to.equal('error');
  });

  it('keeps a raw line once, in msg', () => {
    expect(detectFormat('hello ERROR world').event).to.deep.equal({
      level: 'error',
      msg: 'hello ERROR world',
    });
  });

  it('falls back to raw (with the level word) when a format-like line does not parse', () => {
    const r = detectFormat('[Sun Dec 04 04:47:44 2005] broken ERROR');
    expect(r.format).to.equal('raw');
    expect(r.event).to.deep.equal({
      level: 'error',
      msg: '[Sun Dec 04 04:47:44 2005] broken ERROR',
    });
    expect(formatOf('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" abc')).to.equal(
      'raw',
    );
  });

  it('keeps the format of the line read last, one detector over a mixed stream', () => {
    const detector = new FormatDetector();
    const seen = [JSON_LINE, APACHE, 'garbage', HADOOP, SYSLOG_FILE].map((line) => {
      detector.parse(line);
      return detector.format;
    });
    expect(seen).to.deep.equal(['json', 'access', 'raw', 'log4j', 'syslog']);
  });

  it('is the auto parser', () => {
    expect(getParser('auto')(APACHE)).to.deep.equal(getParser('apache')(APACHE));
    expect(getParser('auto')(`${HADOOP}\n\tat a.B.c(B.java:1)`)).to.include({
      level: 'error',
      stack: '\tat a.B.c(B.java:1)',
    });
  });

  it('autoAccessLine names exactly the lines parse reads as access lines, with their event', () => {
    const detector = new FormatDetector();
    const others = [
      '{"msg":"json"}',
      ' 10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '[Sun Dec 04 04:47:44 2005] [error] not an access line',
      '<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - failed',
      '2015-10-18 18:01:47,978 INFO [main] a.B: started',
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown',
      'plain text',
    ];
    let access = 0;
    for (const line of [...accessLineCorpus(5_000, 5), ...others]) {
      const event = detector.parse(line);
      const a = autoAccessLine(line);
      expect(a !== undefined, JSON.stringify(line)).to.equal(detector.format === 'access');
      if (a === undefined) continue;
      access++;
      expect(accessEvent(a)).to.deep.equal(event);
    }
    expect(access).to.be.above(1_000);
    expect(accessLineReaderOf('auto')).to.equal(autoAccessLine);
  });
});
