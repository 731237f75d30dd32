import { expect } from 'chai';
import { getParser } from '@kinlog/core';
import { RecordEncoder } from '../../../src/daemon/record-encoder.js';
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
