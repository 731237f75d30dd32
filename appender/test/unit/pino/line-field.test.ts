import { expect } from 'chai';
import { carefulLineKey, GIVE_UP, lineKey, scanField } from '../../../src/pino/line-field.js';
import { seededRandom } from '@kinlog/core';

const FIELDS = ['reqId', 'level', 'msg', 'n', '__proto__', 'constructor', 'a"b', ''];
const TEXTS = [
  'r-1',
  '',
  'é',
  '😀',
  'a"b',
  'line\nbreak',
  'tab\t',
  '\u0001',
  'back\\slash',
  'x'.repeat(300),
];

function randomValue(random: () => number, depth: number): unknown {
  const roll = random();
  if (roll < 0.3) return TEXTS[Math.floor(random() * TEXTS.length)];
  if (roll < 0.5) return [0, -1, 1.5, 1e21, -0.25, 2 ** 70][Math.floor(random() * 6)];
  if (roll < 0.6) return [true, false, null][Math.floor(random() * 3)];
  if (depth > 3) return 'leaf';
  if (roll < 0.8)
    return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, depth + 1));
  return randomObject(random, depth + 1);
}

function randomObject(random: () => number, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    Object.defineProperty(out, FIELDS[Math.floor(random() * FIELDS.length)]!, {
      value: randomValue(random, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Odd and broken variants of a line: what the fast scan must hand to the careful path. */
function mutate(line: string, random: () => number): string {
  const at = Math.floor(random() * (line.length + 1));
  const pieces = [' ', '"', '\\', ',', '}', ']', '{', ':', '\n', '\u0000', 'x', '\\u12', '0', '-'];
  switch (Math.floor(random() * 4)) {
    case 0:
      return line.slice(0, at) + pieces[Math.floor(random() * pieces.length)]! + line.slice(at);
    case 1:
      return line.slice(0, at) + line.slice(at + 1);
    case 2:
      return line.slice(0, at);
    default:
      return ` ${line}\r`;
  }
}

describe('lineKey (pino { field } keys without parsing the line)', function () {
  it('agrees with the careful path on hand-picked odd lines', function () {
    const cases: [string, string][] = [
      ['{"reqId":"r-1","msg":"hi"}', 'reqId'],
      ['{"reqId":42}', 'reqId'],
      ['{"reqId":-0}', 'reqId'],
      ['{"reqId":1e400}', 'reqId'],
      ['{"reqId":1.50}', 'reqId'],
      ['{"reqId":true}', 'reqId'],
      ['{"reqId":null}', 'reqId'],
      ['{"reqId":""}', 'reqId'],
      ['{"reqId":"a\\"b\\u00e9\\n"}', 'reqId'],
      ['{"reqId":{"x":1}}', 'reqId'],
      ['{"reqId":[1]}', 'reqId'],
      ['{"req":{"reqId":"inner"},"reqId":"outer"}', 'reqId'],
      ['{"req":{"reqId":"inner"}}', 'reqId'],
      ['{"reqId":"first","reqId":"last"}', 'reqId'],
      ['{"msg":"\\"reqId\\":\\"fake\\"","n":1}', 'reqId'],
      ['{"__proto__":"p"}', '__proto__'],
      ['{}', 'constructor'],
      ['{"a":1}', 'toString'],
      ['{"re\\u0071Id":"escaped key"}', 'reqId'],
      ['{"reqId":"x"} ', 'reqId'],
      ['{"reqId":"x"}}', 'reqId'],
      ['{"reqId":"x",}', 'reqId'],
      ['{"reqId":01}', 'reqId'],
      ['{"reqId":tru}', 'reqId'],
      ['{"reqId":"\\x"}', 'reqId'],
      ['{"reqId":"bad\u0001"}', 'reqId'],
      ['{"reqId" : "spaced"}', 'reqId'],
      ['["reqId"]', '0'],
      ['"reqId"', 'reqId'],
      ['', 'reqId'],
      ['{', 'reqId'],
      [`{"reqId":"${'k'.repeat(300)}"}`, 'reqId'],
      [`{"deep":${'['.repeat(100)}${']'.repeat(100)},"reqId":"d"}`, 'reqId'],
      [`{"deep":${'['.repeat(5000)}${']'.repeat(5000)},"reqId":"d"}`, 'reqId'],
    ];
    for (const [line, field] of cases) {
      expect(lineKey(line, field), `${line} / ${field}`).to.equal(carefulLineKey(line, field));
    }
    expect(lineKey('{"reqId":"r-1"}', 'reqId')).to.equal('r-1');
    expect(lineKey('{"req":{"reqId":"inner"},"reqId":"outer"}', 'reqId')).to.equal('outer');
  });

  it('agrees with the careful path on 6,000 generated lines, whole and broken', function () {
    const random = seededRandom(0x6b6c);
    const differ: string[] = [];
    let scanned = 0;
    for (let i = 0; i < 3_000; i++) {
      const line = JSON.stringify(randomObject(random, 0));
      const odd = mutate(line, random);
      for (const field of FIELDS) {
        if (lineKey(line, field) !== carefulLineKey(line, field)) differ.push(`${line} / ${field}`);
        if (lineKey(odd, field) !== carefulLineKey(odd, field)) differ.push(`${odd} / ${field}`);
        if (scanField(line, field) !== GIVE_UP) scanned++;
      }
    }
    expect(differ.slice(0, 5)).to.deep.equal([]);
    // The generated lines are mostly what pino writes: the fast scan answers most of them.
    expect(scanned).to.be.greaterThan(3_000 * FIELDS.length * 0.5);
  });

  it('answers pino lines by the fast scan', function () {
    const line =
      '{"level":30,"time":1714557600000,"pid":7,"hostname":"web-1","reqId":"req-9","req":{"url":"/x","reqId":"no"},"msg":"done"}';
    expect(scanField(line, 'reqId')).to.equal('req-9');
    expect(scanField(line, 'level')).to.equal(30);
    expect(scanField(line, 'missing')).to.equal(undefined);
    expect(scanField(`${line} `, 'reqId')).to.equal(GIVE_UP);
  });
});
