import { describe, it } from 'mocha';
import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import { NO_FAULTS, resolveFaultPlan } from '../../../src/fault-proxy/fault-plan.js';

describe('resolveFaultPlan', function () {
  it('merges changes over the base and keeps the rest', function () {
    const plan = resolveFaultPlan(resolveFaultPlan(NO_FAULTS, { throttleRate: 0.5 }), {
      entryFailureRate: 0.1,
      latencyMs: undefined,
    });
    expect(plan.throttleRate).to.equal(0.5);
    expect(plan.entryFailureRate).to.equal(0.1);
    expect(plan.latencyMs).to.equal(0);
  });

  it('reports every problem at once, naming the option', function () {
    let error: unknown;
    try {
      resolveFaultPlan(NO_FAULTS, {
        entryFailureRate: 1.5,
        latencyMs: -1,
        shardRecordsPerSecond: 0,
        entryErrorCodes: [],
        outageAtMs: 10,
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path)).to.deep.equal([
      'entryFailureRate',
      'latencyMs',
      'shardRecordsPerSecond',
      'entryErrorCodes',
      'outageAtMs',
    ]);
  });
});
