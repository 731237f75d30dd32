import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import { resolveSinkOptions, SinkDefaults } from '../../../src/sink/sink-options.js';

describe('resolveSinkOptions', () => {
  it('applies defaults at the Kinesis limits', () => {
    const o = resolveSinkOptions({ streamName: 'logs' });
    expect(o.maxBatchRecords).to.equal(500);
    expect(o.maxBatchBytes).to.equal(5 * 1024 * 1024);
    expect(o.maxRecordBytes).to.equal(1024 * 1024);
    expect(o.maxInFlight).to.equal(SinkDefaults.MAX_IN_FLIGHT);
    expect(o.whenFull).to.equal('block');
    expect(o.oversize).to.equal('truncate');
  });

  it('reports every problem at once, each naming the option and its limit', () => {
    let caught: unknown;
    try {
      resolveSinkOptions({
        streamName: 'bad name!',
        maxBatchRecords: 501,
        maxInFlight: 0,
        whenFull: 'wait' as never,
        endpoint: 'not a url',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(ConfigError);
    const err = caught as ConfigError;
    const paths = err.problems.map((p) => p.path);
    expect(paths).to.include.members([
      'streamName',
      'maxBatchRecords',
      'maxInFlight',
      'whenFull',
      'endpoint',
    ]);
    expect(err.message).to.contain('maxBatchRecords must be at most 500');
    expect(err.message).to.contain('maxInFlight must be at least 1');
  });

  it('picks the wire protocol by endpoint unless told cbor or json, and names the choices for anything else', () => {
    expect(resolveSinkOptions({ streamName: 's' }).wireProtocol).to.equal('auto');
    expect(resolveSinkOptions({ streamName: 's', wireProtocol: 'cbor' }).wireProtocol).to.equal(
      'cbor',
    );
    expect(resolveSinkOptions({ streamName: 's', wireProtocol: 'json' }).wireProtocol).to.equal(
      'json',
    );
    expect(() => resolveSinkOptions({ streamName: 's', wireProtocol: 'xml' as never })).to.throw(
      ConfigError,
      /wireProtocol must be "auto", "cbor" or "json"/,
    );
  });

  it('requires a stream name', () => {
    expect(() => resolveSinkOptions({} as never)).to.throw(ConfigError, /streamName/);
  });

  it('accepts Infinity for retries and TTL', () => {
    const o = resolveSinkOptions({ streamName: 's', maxRetries: Infinity, recordTtlMs: Infinity });
    expect(o.maxRetries).to.equal(Infinity);
    expect(o.recordTtlMs).to.equal(Infinity);
  });

  it('rejects a record limit above the batch limit', () => {
    expect(() =>
      resolveSinkOptions({ streamName: 's', maxBatchBytes: 2048, maxRecordBytes: 4096 }),
    ).to.throw(ConfigError, /maxRecordBytes/);
  });
});
