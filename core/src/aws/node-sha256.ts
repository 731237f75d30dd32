import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/** What the SigV4 signer hashes: text or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/**
 * SHA-256 (or HMAC-SHA-256 with a secret) on node:crypto, in the shape the AWS SDK's SigV4
 * signer takes as `sha256`: the hashing of a request body and of the signing strings is native.
 * Each instance digests once (the signer makes a new one per hash).
 *
 * @example
 * ```ts
 * const signer = new SignatureV4({ credentials, region, service: 'kinesis', sha256: NodeSha256 });
 * ```
 */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }

  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }
}

/** Text as UTF-8; bytes viewed in place, never copied. */
function bytesOf(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}
