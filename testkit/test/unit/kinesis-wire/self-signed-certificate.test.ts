import { describe, it } from 'mocha';
import { expect } from 'chai';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import {
  SelfSignedDefaults,
  createSelfSignedCertificate,
} from '../../../src/kinesis-wire/self-signed-certificate.js';

describe('createSelfSignedCertificate', () => {
  it('makes a certificate signed by its own key for localhost and the loopback addresses', () => {
    const { key, cert } = createSelfSignedCertificate();
    const x509 = new X509Certificate(cert);

    expect(x509.verify(x509.publicKey)).to.equal(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).to.equal(true);
    expect(x509.subject).to.equal(
      `CN=${SelfSignedDefaults.COMMON_NAME} ${x509.serialNumber.toLowerCase()}`,
    );
    expect(x509.issuer).to.equal(x509.subject);
    expect(x509.checkHost('localhost')).to.equal('localhost');
    expect(x509.checkIP('127.0.0.1')).to.equal('127.0.0.1');
    expect(x509.checkIP('::1')).to.equal('::1');
    expect(x509.checkHost('example.com')).to.equal(undefined);
    expect(x509.ca).to.equal(true);
  });

  it('is valid from a little before now for the stated number of days', () => {
    const now = Date.UTC(2030, 0, 15, 12, 0, 0);
    const x509 = new X509Certificate(createSelfSignedCertificate(['localhost'], now).cert);

    expect(new Date(x509.validFrom).getTime()).to.equal(now - SelfSignedDefaults.BACKDATE_MS);
    expect(new Date(x509.validTo).getTime()).to.equal(
      now + SelfSignedDefaults.VALIDITY_DAYS * 24 * 3600_000,
    );
  });

  it('makes a new key pair and serial number each time', () => {
    const a = new X509Certificate(createSelfSignedCertificate().cert);
    const b = new X509Certificate(createSelfSignedCertificate().cert);

    expect(a.serialNumber).to.not.equal(b.serialNumber);
    expect(a.subject).to.not.equal(b.subject);
    expect(
      createPublicKey(a.publicKey.export({ type: 'spki', format: 'pem' })).equals(b.publicKey),
    ).to.equal(false);
  });
});
