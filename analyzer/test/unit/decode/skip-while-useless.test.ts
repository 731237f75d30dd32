import { expect } from 'chai';
import { skipWhileUseless, UselessScreenLimits } from '../../../src/decode/skip-while-useless.js';

const FINE = Uint8Array.of(1);
const ERROR = Uint8Array.of(2);

describe('skipWhileUseless', () => {
  const { WINDOW_PAYLOADS, MIN_TURNED_DOWN_ONE_IN, SKIP_PAYLOADS } = UselessScreenLimits;

  it('answers as the screen does while it turns down enough, and only "unsure" while skipped', () => {
    let looked = 0;
    const screen = skipWhileUseless((payload) => (looked++, payload !== FINE));
    // Exactly one in MIN_TURNED_DOWN_ONE_IN turned down: enough, the screen keeps running.
    for (let i = 0; i < 3 * WINDOW_PAYLOADS; i++) {
      const payload = i % MIN_TURNED_DOWN_ONE_IN === 0 ? FINE : ERROR;
      expect(screen(payload)).to.equal(payload !== FINE);
    }
    expect(screen.skipping()).to.equal(false);
    expect(looked).to.equal(3 * WINDOW_PAYLOADS);
    // A window of errors only: the next payloads are not looked at, fine ones included.
    for (let i = 0; i < WINDOW_PAYLOADS; i++) expect(screen(ERROR)).to.equal(true);
    expect(screen.skipping()).to.equal(true);
    looked = 0;
    for (let i = 0; i < SKIP_PAYLOADS; i++) expect(screen(FINE)).to.equal(true);
    expect(looked).to.equal(0);
    // Then it looks again, and fine records are turned down again.
    expect(screen.skipping()).to.equal(false);
    expect(screen(FINE)).to.equal(false);
    expect(looked).to.equal(1);
  });

  it('skips longer after each useless window, up to a bound, and as before after a useful one', () => {
    const { MAX_SKIP_PAYLOADS } = UselessScreenLimits;
    let looked = 0;
    const screen = skipWhileUseless((payload) => (looked++, payload !== FINE));
    /** Payloads answered without a look after a window of `payload`s, until the next look. */
    const skipAfterWindow = (payload: Uint8Array): number => {
      for (let i = 0; i < WINDOW_PAYLOADS; i++) screen(payload);
      let skipped = 0;
      looked = 0;
      while (screen.skipping()) {
        screen(ERROR);
        skipped++;
      }
      expect(looked).to.equal(0);
      return skipped;
    };
    const skips = Array.from({ length: 6 }, () => skipAfterWindow(ERROR));
    expect(skips).to.deep.equal([
      SKIP_PAYLOADS,
      2 * SKIP_PAYLOADS,
      4 * SKIP_PAYLOADS,
      MAX_SKIP_PAYLOADS,
      MAX_SKIP_PAYLOADS,
      MAX_SKIP_PAYLOADS,
    ]);
    expect(8 * SKIP_PAYLOADS).to.equal(MAX_SKIP_PAYLOADS);
    // A window that turns down enough: no skip, and the next useless window skips the least.
    expect(skipAfterWindow(FINE)).to.equal(0);
    expect(skipAfterWindow(ERROR)).to.equal(SKIP_PAYLOADS);
  });
});
