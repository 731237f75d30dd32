import { expect } from 'chai';
import { isErrorLevel } from '../../../src/classify/is-error-level.js';

describe('isErrorLevel', () => {
  for (const level of [
    'error',
    'ERROR',
    ' Err ',
    'fatal',
    'critical',
    'crit',
    'alert',
    'emerg',
    'emergency',
    'panic',
    'SEVERE',
    50,
    60,
    '50',
  ]) {
    it(`treats ${JSON.stringify(level)} as an error`, () =>
      expect(isErrorLevel(level)).to.equal(true));
  }
  for (const level of [
    'warn',
    'info',
    'debug',
    'trace',
    'notice',
    40,
    '30',
    'errors',
    '',
    undefined,
    null,
    {},
    'x'.repeat(100),
  ]) {
    it(`does not treat ${JSON.stringify(level)} as an error`, () =>
      expect(isErrorLevel(level)).to.equal(false));
  }
});
