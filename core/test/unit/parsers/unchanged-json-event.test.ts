import { expect } from 'chai';
import { FormatDetector } from '../../../src/parsers/format-detector.js';
import { createJsonParser, normalizeJsonEvent } from '../../../src/parsers/json-parser.js';
import { unparsedEvent } from '../../../src/parsers/log-event.js';
import { isUnchangedJsonEvent } from '../../../src/parsers/unchanged-json-event.js';

const normalized = (line: string) => normalizeJsonEvent(JSON.parse(line), line);

describe('isUnchangedJsonEvent', () => {
  it('is true for a record normalization leaves exactly as JSON.parse made it', () => {
    const lines = [
      '{"time":"2024-05-01T00:00:00.000Z","level":"error","msg":"boom","status":503,"host":"web-1"}',
      '{}',
      '{"a":{"b":[1,2,{"c":null}]},"level":"warn"}',
      // Values normalization cannot read stay where they are: nothing changed.
      '{"time":"not a time","level":"","status":"abc","msg":7}',
      '{"status":503,"statusCode":404,"msg":"x","message":"y","host":"a","hostname":"b"}',
    ];
    for (const line of lines) expect(isUnchangedJsonEvent(normalized(line)), line).to.equal(true);
  });

  it('is false whenever normalization moved or rewrote a field', () => {
    const lines = [
      '{"time":1700000000123}', // epoch
      '{"time":"2024-05-01T02:00:00+02:00"}', // zone
      '{"time":"2024-05-01T00:00:00Z"}', // no milliseconds
      '{"ts":"2024-05-01T00:00:00.000Z"}', // alias
      '{"@timestamp":"2024-05-01T00:00:00.000Z"}',
      '{"level":"ERROR"}',
      '{"level":50}',
      '{"level":"warning"}',
      '{"severity":"error"}',
      '{"message":"boom"}',
      '{"status":"503"}',
      '{"statusCode":503}',
      '{"res":{"statusCode":503}}',
      '{"hostname":"web-1"}',
    ];
    for (const line of lines) expect(isUnchangedJsonEvent(normalized(line)), line).to.equal(false);
  });

  it('is false for events not made by the JSON normalization, and for copies', () => {
    expect(isUnchangedJsonEvent({ level: 'error' })).to.equal(false);
    expect(isUnchangedJsonEvent(unparsedEvent('garbage'))).to.equal(false);
    expect(isUnchangedJsonEvent(normalizeJsonEvent([1], '[1]'))).to.equal(false);
    expect(isUnchangedJsonEvent({ ...normalized('{"level":"error"}') })).to.equal(false);
    expect(isUnchangedJsonEvent(structuredClone(normalized('{"level":"error"}')))).to.equal(false);
  });

  it('stamps through every JSON parsing path: the JSON parser and the format detector', () => {
    expect(isUnchangedJsonEvent(createJsonParser()('{"level":"info"}'))).to.equal(true);
    expect(isUnchangedJsonEvent(createJsonParser()('{"level":"INFO"}'))).to.equal(false);
    const detector = new FormatDetector();
    expect(isUnchangedJsonEvent(detector.parseLine('{"level":"info"}'))).to.equal(true);
    expect(isUnchangedJsonEvent(detector.parseLine('{"level":30}'))).to.equal(false);
    expect(isUnchangedJsonEvent(detector.parseLine('plain text line'))).to.equal(false);
  });

  it('leaves what the event looks like alone: keys, JSON, deep equality', () => {
    const line = '{"level":"error","msg":"boom","n":1}';
    const event = normalized(line);
    expect(isUnchangedJsonEvent(event)).to.equal(true);
    expect(event).to.deep.equal({ level: 'error', msg: 'boom', n: 1 });
    expect(Object.keys(event)).to.deep.equal(['level', 'msg', 'n']);
    expect(Object.getOwnPropertySymbols(event)).to.deep.equal([]);
    expect(JSON.stringify(event)).to.equal(line);
  });
});
