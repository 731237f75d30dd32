import { expect } from 'chai';
import { normalizeJsonEvent, pick, seededRandom } from '@kinlog/core';
import { EventColumns, MetaColumns } from '../../../src/columns/column-types.js';
import { LineShapeLimits, LineShapes } from '../../../src/columns/line-shapes.js';
import { RowEncoder } from '../../../src/columns/row-encoder.js';

const SHAPE =
  '{"time":"2024-05-01T00:00:02.000Z","level":"error","status":503,"msg":"m","k":7,"f":0.5,"ok":true,"z":null,"u":{"id":1,"tags":["a",2,3.5]}}';
/** Values of every kind and form, each valid JSON. */
const VALUES = [
  '1',
  '-8',
  '0',
  '1.0',
  '-0',
  '1e2',
  '12.50',
  '0.25',
  '2147483647',
  '2147483648',
  '123456789012345',
  '1234567890123456',
  '0.1234567890123456',
  '"x"',
  '"a \\"q\\" \\u00e9"',
  '"2024-05-01T00:00:02Z"',
  '"2024-05-01T00:00:02.000Z"',
  'true',
  'null',
  '{}',
  '{"a":1}',
  '{"a":1,"a":2}',
  '{"1":1}',
  '[]',
  '[1,"b"]',
  '[1.0]',
  '[{"a":1}]',
];
const KEYS = ['"time"', '"status"', '"msg"', '"k"', '"f"', '"ok"', '"z"', '"id"', '"tags"'];

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Lines of SHAPE with one value (or key) changed at random: some of its shape, most not. */
function variants(count: number): string[] {
  const random = seededRandom(17);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = pick(random, KEYS);
    const at = SHAPE.indexOf(key + ':') + key.length + 1;
    const end = SHAPE.slice(at).search(/,"|\}$|\},"/) + at;
    let line = SHAPE.slice(0, at) + pick(random, VALUES) + SHAPE.slice(end);
    if (random() < 0.1) line = line.replace('"k":', '"k":1,"k":'); // a key twice
    if (random() < 0.05) line = line.replace('"status"', '"st\\u0061tus"');
    if (isJson(line)) lines.push(line); // a cut in the wrong place makes no JSON: left out
  }
  return lines;
}

describe('LineShapes', () => {
  it('matches lines of a shape taken before, and no line that differs in keys, kinds or form', () => {
    const shapes = new LineShapes();
    const event = JSON.parse(SHAPE) as Record<string, unknown>;
    const fixed = (key: string) => (EventColumns as Record<string, string>)[key] as never;
    shapes.learn(event, SHAPE, fixed);
    expect(shapes.matches(SHAPE)).to.equal(true);
    expect(
      shapes.matches(SHAPE.replace('"k":7', '"k":-12').replace('"m"', '"é \\"x\\""')),
    ).to.equal(true);
    for (const other of [
      SHAPE.replace('"k":7', '"k":7.0'),
      SHAPE.replace('"k":7', '"k":"7"'),
      SHAPE.replace('"status":503', '"status":2147483647'), // past 9 digits: checked again
      SHAPE.replace('"f":0.5', '"f":0.50'),
      SHAPE.replace('"id":1', '"id":1,"id":1'),
      SHAPE.replace('"tags":["a",2,3.5]', '"tags":[[1]]'),
      SHAPE.replace('"time":"2024-05-01T00:00:02.000Z"', '"time":"2024-05-01 00:00:02"'),
      SHAPE.replace('}}', '},"extra":1}'),
      ' ' + SHAPE,
    ])
      expect(shapes.matches(other), other).to.equal(false);
    // Past its bound a line is not matched at all (it goes the careful way).
    shapes.learn({ msg: 'x' }, '{"msg":"x"}', () => undefined);
    expect(shapes.matches('{"msg":"y"}')).to.equal(true);
    expect(shapes.matches(`{"msg":"${'y'.repeat(LineShapeLimits.MAX_LINE_CHARS)}"}`)).to.equal(
      false,
    );
  });

  it('gives the rows and column types the careful way gives, line for line (differential)', () => {
    const lines = [SHAPE, ...variants(3000)];
    expect(lines.length).to.be.greaterThan(2000);
    const fast = new RowEncoder(EventColumns, MetaColumns);
    const careful = new RowEncoder(EventColumns, MetaColumns);
    // The careful encoder never matches a shape: every line goes through its event.
    (careful as unknown as { shapes: LineShapes }).shapes.matches = () => false;
    let asLine = 0;
    for (const line of lines) {
      const row = fast.fieldsOfLine(normalizeJsonEvent(JSON.parse(line), line), line);
      expect(row, line).to.equal(
        careful.fieldsOfLine(normalizeJsonEvent(JSON.parse(line), line), line),
      );
      if (row === line) asLine++;
    }
    expect(fast.columns()).to.deep.equal(careful.columns());
    expect(fast.stats).to.deep.equal(careful.stats);
    expect(asLine).to.be.greaterThan(lines.length / 4); // the case is exercised
  });
});
