import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { seededRandom } from '../../../src/random/seeded-random.js';
import type { LogEvent } from '../../../src/parsers/log-event.js';
import {
  getParser,
  isParserName,
  ParserNames,
  Parsers,
  parseLine,
  type ParserName,
} from '../../../src/parsers/parsers.js';

// A valid line per parser, used as seeds for mutation and for huge-line tests.
const SEEDS: Record<ParserName, string> = {
  auto: '2015-10-18 18:01:47,978 ERROR [main] org.x.Y: boom',
  json: '{"level":"error","time":"2024-03-01T10:15:30.250Z","msg":"db down","status":503}',
  apache:
    '203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.0" 500 2326 "http://r/" "UA/1.0"',
  nginx: '203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 404 0 "-" "curl/8.0"',
  log4j: '2015-07-29 17:41:44,747 - WARN  [QuorumPeer[myid=1]/0:0:0:2181:Learner@233] - Exception',
  apacheError:
    '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1:tid 2] [client 1.2.3.4:5] boom',
  syslog: '<11>1 2024-05-01T12:00:00.123Z web-1 api 77 ID1 [x@1 a="b\\"]"] disk full',
  raw: 'anything at all',
};

// Deterministic so a failure reproduces.
const prng = seededRandom;

const ALPHABET = ' -:[]{}"\\/.,@$\t\r\n0123456789aZ\uFFFD\u00e9\u{1F600}';

function randomText(random: () => number, maxLength: number): string {
  const length = Math.floor(random() * maxLength);
  let out = '';
  for (let i = 0; i < length; i++) {
    out +=
      random() < 0.5
        ? ALPHABET[Math.floor(random() * ALPHABET.length)]
        : String.fromCharCode(Math.floor(random() * 0x10000)); // lone surrogates included
  }
  return out;
}

function randomBytesAsUtf8(random: () => number, maxLength: number): string {
  const bytes = Buffer.alloc(Math.floor(random() * maxLength));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes.toString('utf8'); // invalid sequences become U+FFFD, as a file reader would give
}

function mutate(random: () => number, line: string): string {
  const at = Math.floor(random() * (line.length + 1));
  switch (Math.floor(random() * 4)) {
    case 0:
      return line.slice(0, at);
    case 1:
      return line.slice(0, at) + randomText(random, 8) + line.slice(at);
    case 2:
      return line.slice(0, at) + line.slice(at + 1 + Math.floor(random() * 5));
    default:
      return line.slice(at) + line.slice(0, at);
  }
}

function expectWellFormed(event: LogEvent, line: string): void {
  expect(event).to.be.an('object');
  if (event.parseError === true) {
    // The text once: in `msg`, not repeated in `raw`.
    expect(event.msg).to.equal(line);
    expect(event).to.not.have.property('raw');
  }
  // A JSON record's own `time` that cannot be read is kept as the producer wrote it.
  const producerTime = line.trimStart().startsWith('{');
  if (typeof event.time === 'string' && event.parseError !== true && !producerTime) {
    expect(Number.isNaN(Date.parse(event.time)), line).to.equal(false);
  }
}

describe('Parsers registry', () => {
  it('names every parser, apache and nginx sharing one', () => {
    expect([...ParserNames]).to.deep.equal([
      'auto',
      'json',
      'apache',
      'nginx',
      'log4j',
      'apacheError',
      'syslog',
      'raw',
    ]);
    expect(Parsers.apache).to.equal(Parsers.nginx);
    expect(isParserName('log4j')).to.equal(true);
    expect(isParserName('toString')).to.equal(false);
    expect(isParserName(42)).to.equal(false);
  });

  it('returns one shared default parser per name, and fresh ones with options', () => {
    expect(getParser('log4j')).to.equal(getParser('log4j'));
    expect(getParser('log4j', {})).not.to.equal(getParser('log4j'));
  });

  it('rejects an unknown name and bad options with ConfigError naming them', () => {
    expect(() => getParser('gelf' as ParserName))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(
        /parser: must be one of auto, json, apache, nginx, log4j, apacheError, syslog, raw/,
      );
    expect(() => getParser('log4j', { assumedUtcOffsetMinutes: 1.5 }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/assumedUtcOffsetMinutes: must be an integer between -720 and 840, got 1.5/);
  });

  it('parses a line by name', () => {
    expect(parseLine('nginx', SEEDS.nginx)).to.include({ status: 404, level: 'warn' });
    expect(parseLine('raw', 'x\ty')).to.deep.equal({ msg: 'x\ty' });
  });

  it('the raw parser keeps everything once, even empty and CRLF lines', () => {
    expect(parseLine('raw', '')).to.deep.equal({ msg: '' });
    expect(parseLine('raw', 'a\r')).to.deep.equal({ msg: 'a\r' });
  });

  for (const name of ParserNames) {
    describe(`${name}: never throws, never drops`, () => {
      const parse = getParser(name);

      it('parses its seed line', () => {
        expect(parse(SEEDS[name])).not.to.have.property('parseError');
      });

      it('handles random text, random bytes and mutated lines', () => {
        const random = prng(name.length * 7919);
        const seeds = Object.values(SEEDS);
        for (let i = 0; i < 3000; i++) {
          const line =
            i % 3 === 0
              ? randomText(random, 200)
              : i % 3 === 1
                ? randomBytesAsUtf8(random, 200)
                : mutate(random, seeds[i % seeds.length]!);
          expectWellFormed(parse(line), line);
        }
      });

      it('handles empty and blank lines', () => {
        for (const line of ['', ' ', '\t', '\r', '\n']) {
          const event = parse(line);
          expectWellFormed(event, line);
          if (name !== 'raw' && name !== 'auto') expect(event.parseError).to.equal(true);
        }
      });

      it('handles a 2 MiB line that matches the format', () => {
        const big = 'x'.repeat(2 * 1024 * 1024);
        const line =
          name === 'json'
            ? `{"msg":"${big}"}`
            : name === 'apache' || name === 'nginx'
              ? `10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /${big} HTTP/1.1" 200 1`
              : `${SEEDS[name]} ${big}`;
        const event = parse(line);
        expect(event.parseError).to.equal(undefined);
        expect(JSON.stringify(event).length).to.be.greaterThan(big.length);
      });

      it('handles 1 MiB lines built to make regexes backtrack', () => {
        const n = 256 * 1024;
        const hostile = [
          '2015-07-29 17:41:44,747 - INFO  [' + ':a'.repeat(n),
          '2015-07-29 17:41:44,747 INFO [' + '[a]'.repeat(n),
          '2015-10-18 18:01:47,978 INFO [main] ' + 'a'.repeat(4 * n),
          '081109 203615 148 INFO ' + 'a:'.repeat(n),
          '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "' + '\\"'.repeat(n),
          '[Wed Oct 11 14:32:52 2000] [core:error] [client ' + '1'.repeat(4 * n),
          '{"a":' + '['.repeat(n),
          ' '.repeat(4 * n),
          '<11>1 - h a - - ' + '[x a="'.repeat(n),
          '<11>1 - h a - - [x' + ' a="\\"'.repeat(n),
          'Oct 11 22:14:15 host ' + 'a['.repeat(n),
          'x ' + 'ERRORS '.repeat(n),
        ];
        for (const line of hostile) expectWellFormed(parse(line), line);
      });
    });
  }
});
