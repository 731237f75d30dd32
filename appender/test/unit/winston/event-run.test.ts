import { expect } from 'chai';
import {
  AddInfo,
  EVENT_RUN_BYTES,
  EVENT_RUN_LINES,
  EventRun,
} from '../../../src/winston/event-run.js';
import { winstonRecord } from '../../../src/winston/winston-record.js';
import { infoOf, oddInfos } from './support/odd-infos.js';

function linesOf(run: EventRun): string[] {
  const { buf, starts, ends, from, to } = run.lines();
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(buf.toString('utf8', starts[i], ends[i]));
  return out;
}

describe('EventRun', () => {
  it('gathers lines back to back as UTF-8, each with its range', () => {
    const run = new EventRun();
    const lines = ['{"a":1}', '{"msg":"héllo 日本 🎉"}', '{"b":"\\u0000"}'];
    for (const line of lines) expect(run.add(line)).to.equal(true);
    expect(run.size).to.equal(3);
    expect(linesOf(run)).to.deep.equal(lines);
    const { starts, ends } = run.lines();
    expect(starts[1]).to.equal(ends[0]);
    expect(ends[1]! - starts[1]!).to.equal(Buffer.byteLength(lines[1]!));
  });

  it('refuses a line that does not fit the room left, and adds nothing then', () => {
    const run = new EventRun();
    const big = 'x'.repeat(EVENT_RUN_BYTES - 10);
    expect(run.add(big)).to.equal(true);
    expect(run.add('y'.repeat(11))).to.equal(false);
    expect(run.add('日日日日')).to.equal(false); // 12 bytes in 4 characters
    expect(run.size).to.equal(1);
    expect(run.add('é'.repeat(5))).to.equal(true); // 10 bytes: exactly the room left
    expect(run.full).to.equal(true);
    expect(linesOf(run)).to.deep.equal([big, 'é'.repeat(5)]);
  });

  it('refuses a line bigger than the whole buffer even when empty', () => {
    const run = new EventRun();
    expect(run.add('x'.repeat(EVENT_RUN_BYTES + 1))).to.equal(false);
    expect(run.add('é'.repeat(EVENT_RUN_BYTES / 2 + 1))).to.equal(false);
    expect(run.size).to.equal(0);
  });

  it('is full after EVENT_RUN_LINES lines, however short', () => {
    const run = new EventRun();
    for (let i = 0; i < EVENT_RUN_LINES; i++) expect(run.add(`{"i":${i}}`)).to.equal(true);
    expect(run.full).to.equal(true);
    expect(run.add('{}')).to.equal(false);
    expect(linesOf(run)[EVENT_RUN_LINES - 1]).to.equal(`{"i":${EVENT_RUN_LINES - 1}}`);
  });

  it('starts again from the beginning after clear()', () => {
    const run = new EventRun();
    run.add('{"first":1}');
    run.clear();
    expect(run.size).to.equal(0);
    expect(run.full).to.equal(false);
    run.add('{"second":2}');
    expect(linesOf(run)).to.deep.equal(['{"second":2}']);
    expect(run.lines().starts[0]).to.equal(0);
  });
});

describe('EventRun.addInfo', () => {
  it('appends the line add(winstonRecord(info)) would, between lines added as strings', () => {
    const infos = oddInfos().map((o) => o.info);
    const viaInfo = new EventRun();
    const viaLine = new EventRun();
    for (const info of infos) {
      viaLine.add(winstonRecord(info));
      viaLine.add('{"between":1}');
      const outcome = viaInfo.addInfo(info);
      expect(outcome).to.be.oneOf([AddInfo.ADDED, AddInfo.NOT_PLAIN]);
      if (outcome === AddInfo.NOT_PLAIN) viaInfo.add(winstonRecord(info));
      viaInfo.add('{"between":1}');
    }
    expect(linesOf(viaInfo)).to.deep.equal(linesOf(viaLine));
    expect(viaInfo.lines().ends[viaInfo.size - 1]).to.equal(viaLine.lines().ends[viaLine.size - 1]);
  });

  it('adds nothing when the line does not fit, and fills up to the line limit', () => {
    const run = new EventRun();
    const info = infoOf('info', 'x', { page: '/a' });
    const size = Buffer.byteLength(winstonRecord(info));
    expect(run.add('x'.repeat(EVENT_RUN_BYTES - size - 1))).to.equal(true);
    expect(run.addInfo(info)).to.equal(AddInfo.ADDED);
    expect(run.addInfo(info)).to.equal(AddInfo.NO_ROOM);
    expect(run.size).to.equal(2);
    expect(linesOf(run)[1]).to.equal(winstonRecord(info));
    run.clear();
    // Lines short enough that the line table fills before the bytes.
    const short = infoOf('info', 'x');
    expect(Buffer.byteLength(winstonRecord(short)) * EVENT_RUN_LINES).to.be.below(EVENT_RUN_BYTES);
    for (let i = 0; i < EVENT_RUN_LINES; i++) expect(run.addInfo(short)).to.equal(AddInfo.ADDED);
    expect(run.full).to.equal(true);
    expect(run.addInfo(short)).to.equal(AddInfo.NO_ROOM);
  });

  it('refuses an info with a field that is not plain, adding nothing', () => {
    const run = new EventRun();
    expect(run.addInfo(infoOf('info', 'x', { big: 1n }))).to.equal(AddInfo.NOT_PLAIN);
    expect(run.size).to.equal(0);
    expect(run.addInfo(infoOf('info', 'x'))).to.equal(AddInfo.ADDED);
    expect(run.lines().starts[0]).to.equal(0);
  });
});
