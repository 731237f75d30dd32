import { expect } from 'chai';
import {
  EMPTY_SIGNATURE,
  messageSignature,
  SIGNATURE_RULES_VERSION,
  SignatureLimits,
} from '../../../src/classify/message-signature.js';

describe('messageSignature', () => {
  const cases: [string, string][] = [
    ['timeout after 3012ms on 10.0.0.7:5432', 'timeout after <n>ms on <ip>'],
    ['id=550e8400-e29b-41d4-a716-446655440000 missing', 'id=<uuid> missing'],
    ['peer [2001:db8::1]:8080 reset', 'peer <ip> reset'],
    ['peer fe80::1%eth0 and ::ffff:192.168.0.1 gone', 'peer <ip> and <ip> gone'],
    ['peer 2001:0db8:0000:0000:0000:ff00:0042:8329 gone', 'peer <ip> gone'],
    ['at 10:20:30 ok', 'at <n>:<n>:<n> ok'],
    ['mail to bob.smith+x@example.co.uk bounced', 'mail to <email> bounced'],
    ['ptr 0xDEADbeef hash 3f2a9c1b7e', 'ptr <hex> hash <hex>'],
    ['deadbeef is a word here', 'deadbeef is a word here'],
    ['order 12345678901 and 1,234.56 and 1.2.3', 'order <n> and <n> and <n>'],
    ['User "alice" not found', 'User "<str>" not found'],
    [
      "Cannot read properties of undefined (reading 'foo')",
      "Cannot read properties of undefined (reading 'foo')",
    ],
    ['std::vector::push_back failed', 'std::vector::push_back failed'],
    ['  spaced \t out\n\nlines  ', 'spaced out lines'],
    ['<script>alert(1)</script>', '<script>alert(<n>)</script>'],
  ];
  for (const [message, expected] of cases) {
    it(`masks ${JSON.stringify(message)}`, () => {
      expect(messageSignature(message)).to.equal(expected);
    });
  }

  it('gives the same signature to messages that differ only in variable parts', () => {
    expect(messageSignature('user 1 failed from 1.2.3.4')).to.equal(
      messageSignature('user 98765 failed from 203.0.113.9'),
    );
  });

  it('is (empty) for missing, non-string or blank messages', () => {
    expect(messageSignature(undefined)).to.equal(EMPTY_SIGNATURE);
    expect(messageSignature({ a: 1 })).to.equal(EMPTY_SIGNATURE);
    expect(messageSignature(' \n ')).to.equal(EMPTY_SIGNATURE);
  });

  it('bounds the length, even for huge messages', () => {
    const sig = messageSignature('x'.repeat(1_000_000));
    expect(sig).to.equal('x'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS));
  });

  it('does not split a surrogate pair when cutting', () => {
    const sig = messageSignature('a'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1) + '😀😀');
    expect(sig).to.equal('a'.repeat(SignatureLimits.MAX_SIGNATURE_CHARS - 1));
  });

  it('stays linear on long hostile tokens', () => {
    // Email-shaped prefixes without "@" must not make the scan quadratic; the result is cut anyway.
    const sig = messageSignature('a.'.repeat(256) + ' x');
    expect(sig.length).to.be.at.most(SignatureLimits.MAX_SIGNATURE_CHARS);
  });

  it('is versioned', () => {
    expect(SIGNATURE_RULES_VERSION).to.equal(1);
  });
});
