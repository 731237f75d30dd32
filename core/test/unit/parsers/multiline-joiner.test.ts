import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import {
  defaultStartPattern,
  MultilineJoiner,
  STACK_TRACE_CONTINUATION,
} from '../../../src/parsers/multiline-joiner.js';

const LOG4J_LINES = [
  '2015-10-18 18:05:12,404 INFO [main] org.apache.hadoop.mapred.Task: Task attempt_01 is done.',
  '2015-10-18 18:05:13,100 ERROR [main] org.apache.hadoop.mapred.YarnChild: Exception running child : java.net.ConnectException: Connection refused',
  '\tat sun.nio.ch.SocketChannelImpl.checkConnect(Native Method)',
  '\tat org.apache.hadoop.net.SocketIOWithTimeout.connect(SocketIOWithTimeout.java:206)',
  'Caused by: java.io.IOException: Broken pipe',
  '\tat org.apache.hadoop.ipc.Client.call(Client.java:1476)',
  '\t... 12 more',
  '2015-10-18 18:05:14,000 WARN [main] org.apache.hadoop.hdfs.LeaseRenewer: Failed to renew lease',
];

function joinAll(joiner: MultilineJoiner, lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) out.push(...joiner.push(line));
  out.push(...joiner.flush());
  return out;
}

describe('MultilineJoiner', () => {
  it('joins a Java stack trace with its Caused by to the log line', () => {
    const joiner = new MultilineJoiner({ startPattern: defaultStartPattern('log4j')! });
    expect(joinAll(joiner, LOG4J_LINES)).to.deep.equal([
      LOG4J_LINES[0],
      LOG4J_LINES.slice(1, 7).join('\n'),
      LOG4J_LINES[7],
    ]);
    expect(joiner.stats).to.deep.equal({ entries: 3, lines: 8, splitByLines: 0, splitByBytes: 0 });
  });

  it('joins stack-trace continuations to the line before, whatever its format', () => {
    const joiner = new MultilineJoiner({ continuationPattern: STACK_TRACE_CONTINUATION });
    const lines = [
      '{"level":"info","msg":"ok"}',
      'Oct 11 22:14:15 web-1 app[7]: request failed',
      'java.lang.IllegalStateException: boom',
      '\tat a.B.c(B.java:1)',
      '    at a.B.d(B.java:2)',
      'Caused by: java.io.IOException: pipe',
      '\tat a.C.e(C.java:3)',
      '\t... 12 more',
      'Suppressed: x.Y: z',
      '... 3 common frames omitted',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 500 1',
      'plain text at the start',
      'Error: not a Java exception',
    ];
    expect(joinAll(joiner, lines)).to.deep.equal([
      lines[0],
      lines.slice(1, 10).join('\n'),
      lines[10],
      lines[11],
      lines[12],
    ]);
  });

  it('takes exactly one of startPattern and continuationPattern', () => {
    expect(() => new MultilineJoiner({})).to.throw(ConfigError, /exactly one/);
    expect(() => new MultilineJoiner({ startPattern: /a/, continuationPattern: /b/ })).to.throw(
      ConfigError,
      /exactly one/,
    );
  });

  it('emits an entry only once the next one starts, the last one on flush', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/ });
    expect(joiner.push('1 a')).to.deep.equal([]);
    expect(joiner.push(' cont')).to.deep.equal([]);
    expect(joiner.pending).to.equal(true);
    expect(joiner.push('2 b')).to.deep.equal(['1 a\n cont']);
    expect(joiner.flush()).to.deep.equal(['2 b']);
    expect(joiner.pending).to.equal(false);
    expect(joiner.flush()).to.deep.equal([]);
  });

  it('opens an entry for continuation lines at the start of input', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/ });
    expect(joinAll(joiner, ['\tat orphan', '\tat orphan2', '1 next'])).to.deep.equal([
      '\tat orphan\n\tat orphan2',
      '1 next',
    ]);
  });

  it('joins empty lines to the open entry', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/ });
    expect(joinAll(joiner, ['1 a', '', '2 b'])).to.deep.equal(['1 a\n', '2 b']);
  });

  it('splits an entry at maxLines and counts it', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/, maxLines: 3 });
    const lines = ['1 head', ...Array.from({ length: 5 }, (_, i) => `\tat f${i}`)];
    expect(joinAll(joiner, lines)).to.deep.equal([
      '1 head\n\tat f0\n\tat f1',
      '\tat f2\n\tat f3\n\tat f4',
    ]);
    expect(joiner.stats.splitByLines).to.equal(1);
  });

  it('splits an entry at maxBytes counting UTF-8 bytes and the joins', () => {
    // 'é' is 2 bytes: '1 é' is 4 bytes, '\n' + ' éé' is 6 more
    const joiner = new MultilineJoiner({ startPattern: /^\d/, maxBytes: 10 });
    expect(joinAll(joiner, ['1 é', ' éé', ' x'])).to.deep.equal(['1 é\n éé', ' x']);
    expect(joiner.stats).to.include({ splitByBytes: 1, splitByLines: 0, entries: 2 });
  });

  it('emits a line longer than maxBytes as an entry of its own', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/, maxBytes: 4 });
    expect(joinAll(joiner, ['1 too long', ' also too long', '2'])).to.deep.equal([
      '1 too long',
      ' also too long',
      '2',
    ]);
  });

  it('ignores g and y flags, whose lastIndex would make matches depend on history', () => {
    const joiner = new MultilineJoiner({ startPattern: /^\d/gy });
    expect(joinAll(joiner, ['1 a', '2 b', '3 c', ' d'])).to.deep.equal(['1 a', '2 b', '3 c\n d']);
  });

  it('validates all options at once', () => {
    expect(
      () =>
        new MultilineJoiner({ startPattern: 'x' as unknown as RegExp, maxLines: 0, maxBytes: 1.5 }),
    )
      .to.throw(ConfigError)
      .that.satisfies((err: ConfigError) => {
        expect(err.problems.map((p) => p.path)).to.deep.equal([
          'startPattern',
          'maxLines',
          'maxBytes',
        ]);
        return true;
      });
  });

  describe('defaultStartPattern', () => {
    it('starts log4j entries on each supported date layout, not on stack frames', () => {
      const start = defaultStartPattern('log4j')!;
      for (const line of [
        '2015-10-18 18:01:47,978 INFO [main] a.B: x',
        '2015-07-29 17:41:44,747 - INFO  [t:C@1] - x',
        '2024-03-01T08:00:00.123Z INFO a.B: x',
        '17/06/09 20:10:40 INFO a.B: x',
        '081109 203615 148 INFO a.B: x',
      ]) {
        expect(start.test(line), line).to.equal(true);
      }
      for (const line of [
        '\tat a.B.c(B.java:1)',
        'Caused by: x',
        '\t... 3 more',
        '',
        'java.lang.Error',
      ]) {
        expect(start.test(line), line).to.equal(false);
      }
    });

    it('starts Apache error entries on the bracketed date', () => {
      const start = defaultStartPattern('apacheError')!;
      expect(start.test('[Sun Dec 04 04:47:44 2005] [error] x')).to.equal(true);
      expect(start.test('  continued')).to.equal(false);
    });

    it('needs no joining for one-record-per-line formats', () => {
      for (const name of ['json', 'apache', 'nginx', 'raw'] as const) {
        expect(defaultStartPattern(name)).to.equal(undefined);
      }
    });
  });
});
