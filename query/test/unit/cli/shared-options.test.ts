import { expect } from 'chai';
import { parseSince } from '../../../src/cli/shared-options.js';

describe('parseSince', () => {
  it('reads relative and ISO-8601 times', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(parseSince('24h', now)).to.equal(now - 86_400_000);
    expect(parseSince('30m', now)).to.equal(now - 1_800_000);
    expect(parseSince('2024-05-01T00:00:00Z', now)).to.equal(Date.parse('2024-05-01T00:00:00Z'));
    expect(parseSince('yesterday', now)).to.equal(undefined);
  });
});
