import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import { startLocalServices } from '../../src/index.js';

describe('startLocalServices options', function () {
  it('rejects every invalid option at once, before starting anything', async function () {
    const error = await startLocalServices({
      // @ts-expect-error an unknown implementation is what is being tested
      kinesis: 'kinesis-mock',
      kinesisPort: 70_000,
      dynamodbPort: -1,
      startTimeoutMs: 0,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path)).to.deep.equal([
      'kinesis',
      'kinesisPort',
      'dynamodbPort',
      'startTimeoutMs',
    ]);
  });
});
