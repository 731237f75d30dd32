import { expect } from 'chai';
import {
  accessJsonWasmOf,
  accessJsonWriterOf,
  accessLineReaderOf,
  getParser,
  pick,
  seededRandom,
  type ParserName,
} from '@kinlog/core';
import { RecordEncoder } from '../../../src/daemon/record-encoder.js';
import type { LineFlags } from '../../../src/daemon/record-encoder.js';
import { resolveShipConfig, type ShipFlowInput } from '../../../src/daemon/ship-config.js';

function flowOf(input: Partial<ShipFlowInput>) {
  return resolveShipConfig({ flows: [{ paths: ['/logs/*.log'], stream: 's', ...input }] })
    .flows[0]!;
}

describe('RecordEncoder', () => {
  it('decorates the parsed event with source, host and the flow fields, without overriding', () => {
    const flow = flowOf({ parser: 'json', fields: { env: 'prod', msg: 'not this' } });
    const enc = new RecordEncoder(flow, getParser('json'), 'web-1');
    const e = enc.encode('/logs/a.log', '{"msg":"hi","level":"info"}', undefined);
    expect(JSON.parse(e.data)).to.include({
      msg: 'hi',
      source: '/logs/a.log',
      host: 'web-1',
      env: 'prod',
    });
    expect(e).to.include({ key: undefined, parseError: false, parserFailed: false });
  });

  it('marks cut and invalid UTF-8 lines', () => {
    const enc = new RecordEncoder(flowOf({ parser: 'raw' }), getParser('raw'), 'h');
    const e = enc.encode('/logs/a.log', 'abc', { cut: 'split', invalidUtf8: true });
    expect(JSON.parse(e.data)).to.include({ kinlogLineCut: 'split', kinlogInvalidUtf8: true });
  });

  it('a parser that throws still yields a record, marked as a parse failure', () => {
    const enc = new RecordEncoder(
      flowOf({}),
      () => {
        throw new RangeError('too deep');
      },
      'h',
    );
    const e = enc.encode('/logs/a.log', '[[[[', undefined);
    expect(e).to.include({ parseError: true, parserFailed: true });
    expect(JSON.parse(e.data)).to.include({
      kinlogParseFailure: 'too deep',
      source: '/logs/a.log',
    });
  });

  it('partition keys: random, the file, or a field (line output parses only for a field)', () => {
    const parse = getParser('json');
    expect(new RecordEncoder(flowOf({}), parse, 'h').lineKey('/logs/a.log', '{}')).to.equal(
      undefined,
    );
    const byFile = new RecordEncoder(flowOf({ partitionKey: 'file' }), parse, 'h');
    expect(byFile.lineKey('/logs/a.log', 'x')).to.equal('/logs/a.log');
    expect(byFile.encode('/logs/b.log', '{}', undefined).key).to.equal('/logs/b.log');
    const byField = new RecordEncoder(
      flowOf({ parser: 'json', partitionKey: { field: 'user' } }),
      parse,
      'h',
    );
    expect(byField.lineKey('/logs/a.log', '{"user":"u-7"}')).to.equal('u-7');
    expect(byField.encode('/logs/a.log', '{"user":"u-8"}', undefined).key).to.equal('u-8');
  });
});

describe('RecordEncoder: access lines written straight from their fields', () => {
  const base = [
    '203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif?x=1 HTTP/1.0" 200 2326 "http://e.example/s" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
    '192.168.1.20 - - [01/Mar/2024:00:30:00 +0100] "POST /api/orders HTTP/1.1" 503 -',
    '2001:db8::1 - - [17/May/2015:08:05:32 +0000] "GET /d HTTP/1.1" 404 318 "-" "APT" "10.1.2.3" 0.003\r',
    '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /s?q=\\"x\\" HTTP/1.1" 200 10 "-" "a \\"b\\""',
    '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /caf\u00e9 HTTP/1.1" 200 10 "-" "\u{1f600}\u0001"',
    '66.249.66.1 - - [05/Jan/2024:03:04:05 +0000] "\\x16\\x03" 400 157 "-" "-"',
    '{"msg":"a JSON line","status":500}',
    '[Sun Dec 04 04:47:44 2005] [error] not an access line',
    ' 10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
    'plain text ERROR here',
  ];
  const lines = [...base];
  // Lines mutated at random, so the comparison covers what servers do not write too.
  const random = seededRandom(3);
  const tricky = [' ', '"', '\\', '\t', '\n', '\u2028', '\ud800', '\u00a0', '-', '7', '[', '{'];
  for (let i = 0; i < 3_000; i++) {
    let line = pick(random, base);
    const at = Math.floor(random() * line.length);
    line = line.slice(0, at) + pick(random, tricky) + line.slice(at + (random() < 0.5 ? 1 : 0));
    lines.push(line);
  }
  const flags: (LineFlags | undefined)[] = [
    undefined,
    { cut: 'split' },
    { cut: 'truncated', invalidUtf8: true },
    { invalidUtf8: true },
  ];
  const flows: Partial<ShipFlowInput>[] = [
    {},
    { fields: { env: 'prod', shard: 3, canary: false, 'odd "key"': 'x\ny' } },
    { partitionKey: 'file' },
    { partitionKey: { field: 'clientIp' } },
    { partitionKey: { field: 'env' }, fields: { env: 'prod' } },
    // Fields the decoration would place elsewhere, or not add: the careful path takes them.
    { fields: { referrer: 'none', env: 'prod' } },
    { fields: { '7': 'first' } },
    { fields: { constructor: 'x' } },
    { fields: { source: 'x' } },
  ];

  it('gives the records the parser and the generic encoder give, for every line, flow and mark', () => {
    let fast = 0;
    for (const parser of ['auto', 'apache', 'nginx'] as ParserName[]) {
      for (const input of flows) {
        const flow = flowOf({ parser, ...input });
        const read = accessLineReaderOf(parser);
        expect(read).not.to.equal(undefined);
        const careful = new RecordEncoder(flow, getParser(parser), 'web-1');
        const direct = new RecordEncoder(flow, getParser(parser), 'web-1', read);
        for (const [i, line] of lines.entries()) {
          const mark = flags[i % flags.length];
          const path = i % 7 === 0 ? '/logs/b "x".log' : '/logs/a.log';
          const want = careful.encode(path, line, mark);
          expect(
            direct.encode(path, line, mark),
            `${parser} ${JSON.stringify(input)} ${line}`,
          ).to.deep.equal(want);
          if (read?.(line) !== undefined) fast++;
        }
      }
    }
    expect(fast).to.be.above(lines.length);
  });

  it('writes the records encode gives from the bytes of the plain access lines, for every flow', () => {
    let written = 0;
    for (const parser of ['auto', 'apache', 'nginx'] as ParserName[]) {
      for (const input of flows) {
        const flow = flowOf({ parser, ...input });
        const careful = new RecordEncoder(flow, getParser(parser), 'web-1');
        const bytes = new RecordEncoder(
          flow,
          getParser(parser),
          'web-1',
          accessLineReaderOf(parser),
          accessJsonWriterOf(parser),
        );
        const wasm = new RecordEncoder(
          flow,
          getParser(parser),
          'web-1',
          accessLineReaderOf(parser),
          accessJsonWasmOf(parser, {}),
        );
        expect(wasm.recordBuffers).to.not.have.length(0);
        expect(bytes.recordBuffers).to.have.length(0);
        // A key read from a field, or a field the decoration would move: never from bytes.
        const plainFlow =
          typeof flow.partitionKey !== 'object' &&
          !['referrer', '7', 'constructor', 'source'].some((k) => Object.hasOwn(flow.fields, k));
        expect(bytes.writesFromBytes, JSON.stringify(input)).to.equal(plainFlow);
        expect(careful.writesFromBytes).to.equal(false);
        if (!plainFlow) continue;
        for (const [i, line] of lines.entries()) {
          const path = i % 7 === 0 ? '/logs/b "x".log' : '/logs/a.log';
          const src = Buffer.from(`\n${line}\n`);
          const at = 3;
          const out = Buffer.alloc(at + bytes.roomFor(path, 1, src.length - 1), 0x7b);
          const end = bytes.writeAccess(path, src, 1, src.length - 1, out, at);
          const wasmOut = wasm.recordBuffers[i % wasm.recordBuffers.length]!;
          const wasmEnd = wasm.writeAccess(path, src, 1, src.length - 1, wasmOut, at);
          expect(wasmEnd < 0 ? -1 : wasmOut.toString('utf8', at, wasmEnd)).to.equal(
            end < 0 ? -1 : out.toString('utf8', at, end),
          );
          if (end < 0) continue;
          written++;
          const want = careful.encode(path, line, undefined);
          expect(out.toString('utf8', at, end), `${parser} ${line}`).to.equal(want.data);
          expect(want.parseError).to.equal(false);
          expect(bytes.lineKey(path, line)).to.equal(want.key);
        }
      }
    }
    expect(written).to.be.above(1_000);
  });

  it('takes the direct way for access lines, unless a flow field would change the event', () => {
    const unused = () => {
      throw new Error('parser called');
    };
    const line = base[0]!;
    const direct = new RecordEncoder(flowOf({}), unused, 'h', accessLineReaderOf('auto'));
    expect(direct.encode('/logs/a.log', line, undefined).parserFailed).to.equal(false);
    expect(direct.encode('/logs/a.log', 'not access', undefined).parserFailed).to.equal(true);
    const clash = new RecordEncoder(
      flowOf({ fields: { agent: 'x' } }),
      unused,
      'h',
      accessLineReaderOf('auto'),
    );
    expect(clash.encode('/logs/a.log', line, undefined).parserFailed).to.equal(true);
  });

  it('only the parsers that read access lines have a reader', () => {
    expect(accessLineReaderOf('json')).to.equal(undefined);
    expect(accessLineReaderOf('raw')).to.equal(undefined);
    expect(accessLineReaderOf('log4j')).to.equal(undefined);
  });
});
