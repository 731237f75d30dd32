import { expect } from 'chai';
import { ItemKeys } from '../../../src/checkpoint/item-keys.js';

describe('ItemKeys', () => {
  it('builds the key of each item kind', () => {
    expect(ItemKeys.iteration('web', 7)).to.deep.equal({ PK: { S: 'web#ITER' }, SK: { N: '7' } });
    expect(ItemKeys.report('web', 7)).to.deep.equal({ PK: { S: 'web#REPORT' }, SK: { N: '7' } });
    expect(ItemKeys.checkpoint('web', 'logs', 'shardId-000000000001', 7)).to.deep.equal({
      PK: { S: 'web#logs#shardId-000000000001' },
      SK: { N: '7' },
    });
    expect(ItemKeys.reportRef('web', 7)).to.equal('web#REPORT/7');
    expect(ItemKeys.run('web', 2)).to.deep.equal({ PK: { S: 'web#RUN' }, SK: { N: '2' } });
    expect(ItemKeys.runRef('web', 2)).to.equal('web#RUN/2');
    expect(ItemKeys.runner('web')).to.deep.equal({ PK: { S: 'web#RUNNER' }, SK: { N: '0' } });
  });

  it('reads the name back from an iteration partition key, a # in the name included', () => {
    for (const name of ['web', 'a#b', 'x#ITER']) {
      expect(ItemKeys.nameOfIterationPk(ItemKeys.iterationPk(name))).to.equal(name);
    }
  });
});
