/*
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
 *   TBSCertificate ::= SEQUENCE { [0] version v3, serialNumber, signature, issuer, validity,
 *                                 subject, subjectPublicKeyInfo, [3] extensions }
 *
 * Just enough DER to make one throwaway certificate for a local test server: an ECDSA P-256
 * key, self-signed, subject = issuer, valid for localhost and the loopback addresses.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

/** Fixed parts of the certificates {@link createSelfSignedCertificate} makes. */
export const SelfSignedDefaults = {
  /** Followed by the serial number in hex. */
  COMMON_NAME: 'kinlog local test server',
  HOSTS: ['localhost', '127.0.0.1', '::1'],
  VALIDITY_DAYS: 2,
  /** Backdated so a clock a little behind still accepts it. */
  BACKDATE_MS: 60 * 60_000,
  SERIAL_BYTES: 16,
} as const;

/** A PEM private key and its PEM certificate. */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

const OID = {
  COMMON_NAME: '2.5.4.3',
  EC_PUBLIC_KEY_WITH_SHA256: '1.2.840.10045.4.3.2',
  SUBJECT_ALT_NAME: '2.5.29.17',
  BASIC_CONSTRAINTS: '2.5.29.19',
} as const;

const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  SEQUENCE: 0x30,
  SET: 0x31,
  EXPLICIT_0: 0xa0,
  EXPLICIT_3: 0xa3,
  SAN_DNS: 0x82,
  SAN_IP: 0x87,
} as const;

/**
 * Makes a key pair and a self-signed certificate for `hosts` (DNS names and IP addresses),
 * for an HTTPS test server; a client trusts it by taking `cert` as its CA (`ca` of an https
 * Agent, or `NODE_EXTRA_CA_CERTS` for a child process).
 *
 * @example
 * ```ts
 * const { key, cert } = createSelfSignedCertificate();
 * const server = createServer({ key, cert }, handler);
 * ```
 */
export function createSelfSignedCertificate(
  hosts: readonly string[] = SelfSignedDefaults.HOSTS,
  nowMs: number = Date.now(),
): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(SelfSignedDefaults.SERIAL_BYTES);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and no leading zero byte
  // Unique, so a client trusting several of these (one CA file) finds each one's own issuer.
  const commonName = `${SelfSignedDefaults.COMMON_NAME} ${serial.toString('hex')}`;
  const name = der(
    Tag.SEQUENCE,
    der(
      Tag.SET,
      der(Tag.SEQUENCE, oid(OID.COMMON_NAME), der(Tag.UTF8_STRING, Buffer.from(commonName))),
    ),
  );
  const notBefore = nowMs - SelfSignedDefaults.BACKDATE_MS;
  const notAfter = nowMs + SelfSignedDefaults.VALIDITY_DAYS * 24 * 3600_000;
  const altNames = hosts.map((host) =>
    isIP(host) === 0 ? der(Tag.SAN_DNS, Buffer.from(host)) : der(Tag.SAN_IP, ipBytes(host)),
  );
  const extensions = der(
    Tag.EXPLICIT_3,
    der(
      Tag.SEQUENCE,
      der(
        Tag.SEQUENCE,
        oid(OID.BASIC_CONSTRAINTS),
        der(Tag.BOOLEAN, Buffer.of(0xff)),
        der(Tag.OCTET_STRING, der(Tag.SEQUENCE, der(Tag.BOOLEAN, Buffer.of(0xff)))),
      ),
      der(
        Tag.SEQUENCE,
        oid(OID.SUBJECT_ALT_NAME),
        der(Tag.OCTET_STRING, der(Tag.SEQUENCE, ...altNames)),
      ),
    ),
  );
  const algorithm = der(Tag.SEQUENCE, oid(OID.EC_PUBLIC_KEY_WITH_SHA256));
  const tbs = der(
    Tag.SEQUENCE,
    der(Tag.EXPLICIT_0, der(Tag.INTEGER, Buffer.of(2))),
    der(Tag.INTEGER, serial),
    algorithm,
    name,
    der(Tag.SEQUENCE, utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const certificate = der(
    Tag.SEQUENCE,
    tbs,
    algorithm,
    der(Tag.BIT_STRING, Buffer.concat([Buffer.of(0), signature])),
  );
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: pem(certificate),
  };
}

function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.of(n);
  else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    length = Buffer.of(0x80 | bytes.length, ...bytes);
  }
  return Buffer.concat([Buffer.of(tag), length, body]);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const groups = [part & 0x7f];
    for (let rest = part >>> 7; rest > 0; rest >>>= 7) groups.unshift((rest & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(Tag.OID, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ): enough until 2049. */
function utcTime(ms: number): Buffer {
  const text = new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .slice(2);
  return der(Tag.UTC_TIME, Buffer.from(text));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string): number[] =>
    s === '' ? [] : s.split(':').map((g) => parseInt(g, 16));
  const left = groups(head);
  const right = ip.includes('::') ? groups(tail) : [];
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function pem(derBytes: Buffer): string {
  const lines = derBytes.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
