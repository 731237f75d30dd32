import { expect } from 'chai';
import { WakeTimer } from '../../../src/sink/wake-timer.js';
import { FakeClock } from './support/fake-clock.js';

describe('WakeTimer', () => {
  it('keeps the earliest time asked for and fires once', async () => {
    const clock = new FakeClock();
    let fired = 0;
    const wake = new WakeTimer(clock, () => fired++);
    const t0 = clock.now();
    wake.atOrBefore(t0 + 500, false);
    wake.atOrBefore(t0 + 900, false); // later: ignored
    wake.atOrBefore(t0 + 200, true); // earlier: replaces
    expect(clock.pending).to.have.length(1);
    expect(clock.pending[0]).to.deep.include({ atMs: t0 + 200, refed: true });
    await clock.advance(199);
    expect(fired).to.equal(0);
    await clock.advance(1);
    expect(fired).to.equal(1);
    expect(wake.pending).to.equal(false);
    await clock.advance(1000);
    expect(fired).to.equal(1);
  });

  it('lets the process exit unless asked to keep it alive', () => {
    const clock = new FakeClock();
    const wake = new WakeTimer(clock, () => undefined);
    wake.at(clock.now() + 10, false);
    expect(clock.pending[0]!.refed).to.equal(false);
    wake.clear();
    expect(clock.pending).to.have.length(0);
  });
});
