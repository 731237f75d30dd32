import { describe, it } from 'mocha';
import { expect } from 'chai';
import { mergePutRecordsResults } from '../../../src/fault-proxy/put-records-merge.js';

const fail = { code: 'InternalFailure', message: 'Internal service failure.' };

describe('mergePutRecordsResults', function () {
  it('puts upstream answers back between the entries the proxy failed', function () {
    const out = mergePutRecordsResults(
      [undefined, fail, undefined, fail],
      [
        { SequenceNumber: '1', ShardId: 's0' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
      ],
    );
    expect(out).to.deep.equal({
      FailedRecordCount: 3,
      Records: [
        { SequenceNumber: '1', ShardId: 's0' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
      ],
    });
  });

  it('refuses an upstream answer of the wrong length', function () {
    expect(() =>
      mergePutRecordsResults([undefined, undefined], [{ SequenceNumber: '1' }]),
    ).to.throw(/fewer than forwarded/);
    expect(() => mergePutRecordsResults([fail], [{ SequenceNumber: '1' }])).to.throw(
      /0 were forwarded/,
    );
  });
});
