import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import { parseStreamSpecs, StreamSpecLimits } from '../../src/stream-spec.js';

describe('parseStreamSpecs', function () {
  it('reads names with and without a shard count', function () {
    expect(parseStreamSpecs(['web-logs:2', 'clicks', 'a.b_c-1:64'])).to.deep.equal([
      { name: 'web-logs', shards: 2 },
      { name: 'clicks', shards: StreamSpecLimits.DEFAULT_SHARDS },
      { name: 'a.b_c-1', shards: 64 },
    ]);
  });

  it('reports every bad value at once, naming the option and the limit', function () {
    let error: unknown;
    try {
      parseStreamSpecs(['ok:1', 'bad name', 'x:0', 'y:65', 'z:1.5', ':3']);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.path)).to.deep.equal(Array(5).fill('--stream'));
    expect(problems.map((p) => p.message.split(':')[0])).to.deep.equal([
      '"bad name"',
      '"x',
      '"y',
      '"z',
      '"',
    ]);
    expect(problems[2]!.message).to.contain('from 1 to 64');
  });
});
