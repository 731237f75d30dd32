import { expect } from 'chai';
import { formatTable } from '../../../src/cli/format-report.js';
import type { TopNResult } from '../../../src/aggregate/top-n-result.js';
import { displayText } from '../../../src/report/display-text.js';

const row = (region: string, page: string, signature: string): TopNResult['rows'][number] =>
  ({
    region,
    page,
    count: 3,
    countError: 0,
    share: 0.5,
    change: null,
    signatures: [{ signature, count: 3 }],
  }) as unknown as TopNResult['rows'][number];

const result = (rows: TopNResult['rows']): TopNResult =>
  ({
    totals: { events: 6, errors: 6, errors5xx: 6, errors4xx: 0, errorsLevel: 0, unparsed: 0 },
    rows,
  }) as unknown as TopNResult;

describe('formatTable (kinlog analyze)', () => {
  it('escapes bidi overrides, zero-width and control characters as kinlog report does', () => {
    const hostile = 'pay\u202eldp.exe\u200b\u001b[2J\r\nforged';
    const text = formatTable('web #1', result([row('eu\u202e', hostile, `boom ${hostile}`)]));
    for (const raw of ['\u202e', '\u200b', '\u001b', '\r']) expect(text).to.not.include(raw);
    expect(text).to.include(displayText(hostile, 60));
    expect(text).to.include('eu\\u202e');
    expect(text.split('\n')).to.have.length(4);
  });

  it('lines up columns by display width, wide characters included', () => {
    const text = formatTable('web #1', result([row('東京', '/x', 'a'), row('eu', '/y', 'b')]));
    const lines = text.split('\n');
    expect(lines[2]!.indexOf('/x')).to.equal(lines[3]!.indexOf('/y') - 2);
  });
});
