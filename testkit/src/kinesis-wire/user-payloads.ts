/*
 *   Kinesis record data ─► KPL aggregate? ─► each user record's data ─► gzip? ─► payload
 *
 *   F3 89 9A C2 │ AggregatedRecord (protobuf) │ MD5(protobuf), 16 bytes
 *   AggregatedRecord { 3: repeated Record }   Record { 3: bytes data }
 *
 * Written apart from the producer's encoder on purpose: a check that shares the code it checks
 * would agree with its bugs.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

const KPL_MAGIC = Buffer.of(0xf3, 0x89, 0x9a, 0xc2);
const KPL_DIGEST_BYTES = 16;
const GZIP_MAGIC = Buffer.of(0x1f, 0x8b);
const FIELD_RECORDS = 3;
const RECORD_FIELD_DATA = 3;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** A Kinesis record whose data could not be decoded as it claims to be. */
export class UserPayloadError extends Error {
  override readonly name = 'UserPayloadError';
}

/**
 * The payloads a Kinesis record's data carries: the user records of a KPL aggregate (after an
 * MD5 check) or the data itself, each gunzipped when it starts with the gzip magic bytes.
 *
 * @throws {UserPayloadError} on a bad digest or malformed protobuf.
 * @example
 * ```ts
 * for (const line of userPayloads(Buffer.from(entry.Data, 'base64'))) count(line.toString());
 * ```
 */
export function userPayloads(data: Buffer): Buffer[] {
  const users = isAggregate(data) ? aggregatedData(data) : [data];
  return users.map((user) =>
    user.length >= GZIP_MAGIC.length && user[0] === GZIP_MAGIC[0] && user[1] === GZIP_MAGIC[1]
      ? gunzipSync(user)
      : user,
  );
}

function isAggregate(data: Buffer): boolean {
  return (
    data.length >= KPL_MAGIC.length + KPL_DIGEST_BYTES &&
    data.subarray(0, KPL_MAGIC.length).equals(KPL_MAGIC)
  );
}

function aggregatedData(data: Buffer): Buffer[] {
  const body = data.subarray(KPL_MAGIC.length, data.length - KPL_DIGEST_BYTES);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(data.subarray(data.length - KPL_DIGEST_BYTES))) {
    throw new UserPayloadError('KPL aggregate digest mismatch');
  }
  const out: Buffer[] = [];
  for (const record of fields(body, FIELD_RECORDS)) {
    const [payload] = fields(record, RECORD_FIELD_DATA);
    out.push(payload ?? Buffer.alloc(0));
  }
  return out;
}

/** The length-delimited values of field `wanted` in a protobuf message, skipping the others. */
function fields(message: Buffer, wanted: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= message.length) throw new UserPayloadError('truncated varint');
      const byte = message[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (at < message.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === WIRE_VARINT) varint();
    else if (wire === WIRE_FIXED64) at += 8;
    else if (wire === WIRE_FIXED32) at += 4;
    else if (wire === WIRE_LENGTH_DELIMITED) {
      const length = varint();
      if (at + length > message.length) throw new UserPayloadError('truncated field');
      if (field === wanted) out.push(message.subarray(at, at + length));
      at += length;
    } else throw new UserPayloadError(`unsupported wire type ${wire}`);
  }
  return out;
}
