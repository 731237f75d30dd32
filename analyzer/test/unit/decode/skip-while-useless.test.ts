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
});
