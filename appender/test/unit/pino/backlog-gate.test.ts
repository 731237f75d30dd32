import { expect } from 'chai';
import { BacklogGate, type GateTimers } from '../../../src/pino/backlog-gate.js';

/** Timers moved by hand: `advance(ms)` runs what fell due. */
function handTimers(): GateTimers & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    after(ms, fn) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => {
        timers = timers.filter((x) => x !== t);
      };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
    pending: () => timers.length,
  };
}

async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('BacklogGate', function () {
  const options = { pauseAtBytes: 1000, maxPauseMs: 500 };

  it('pauses only at pauseAtBytes, and resumes once half of them are released', async function () {
    const source = { bufferedBytes: 999, closed: false };
    const timers = handTimers();
    const gate = new BacklogGate(source, options, timers);
    expect(gate.shouldPause()).to.equal(false);
    expect(await settled(gate.pause())).to.equal(true);

    source.bufferedBytes = 1000;
    expect(gate.shouldPause()).to.equal(true);
    const paused = gate.pause();
    source.bufferedBytes = 600;
    gate.acknowledged(10);
    expect(await settled(paused)).to.equal(false);
    source.bufferedBytes = 499;
    gate.acknowledged(10);
    expect(await settled(paused)).to.equal(true);
    expect(timers.pending()).to.equal(0);
  });

  it('resumes on drops and on close too', async function () {
    const source = { bufferedBytes: 2000, closed: false };
    const gate = new BacklogGate(source, options, handTimers());
    let paused = gate.pause();
    source.bufferedBytes = 100;
    gate.released();
    expect(await settled(paused)).to.equal(true);

    source.bufferedBytes = 2000;
    paused = gate.pause();
    source.closed = true;
    gate.released();
    expect(await settled(paused)).to.equal(true);
    expect(gate.shouldPause()).to.equal(false);
  });

  it('ends a pause after maxPauseMs, then reads on as long; a pause that saw no acknowledgement stops pausing until one comes', async function () {
    const source = { bufferedBytes: 2000, closed: false };
    const timers = handTimers();
    const gate = new BacklogGate(source, options, timers);

    // Kinesis acknowledges, but slower than the application logs: the pause ends at the
    // bound, and the worker reads on for as long before it may pause again.
    let paused = gate.pause();
    gate.acknowledged(1);
    timers.advance(499);
    expect(await settled(paused)).to.equal(false);
    timers.advance(1);
    expect(await settled(paused)).to.equal(true);
    expect(gate.shouldPause()).to.equal(false);
    expect(await settled(gate.pause())).to.equal(true);
    timers.advance(500);
    expect(gate.shouldPause()).to.equal(true);

    // Nothing acknowledged in a whole pause: stalled, the worker reads on.
    paused = gate.pause();
    timers.advance(500);
    expect(await settled(paused)).to.equal(true);
    expect(gate.shouldPause()).to.equal(false);
    expect(await settled(gate.pause())).to.equal(true);

    // An acknowledgement ends the stall.
    gate.acknowledged(3);
    expect(gate.shouldPause()).to.equal(true);
  });

  it('gives every caller of one pause the same promise, and ignores answers without records', async function () {
    const source = { bufferedBytes: 5000, closed: false };
    const timers = handTimers();
    const gate = new BacklogGate(source, options, timers);
    const a = gate.pause();
    const b = gate.pause();
    expect(a).to.equal(b);
    expect(timers.pending()).to.equal(1);
    source.bufferedBytes = 0;
    gate.acknowledged(0);
    expect(await settled(a)).to.equal(false);
    timers.advance(500);
    expect(await settled(a)).to.equal(true);
    // The pause saw no acknowledged record: stalled.
    source.bufferedBytes = 5000;
    expect(gate.shouldPause()).to.equal(false);
  });
});
