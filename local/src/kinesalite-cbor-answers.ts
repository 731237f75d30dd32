import { createRequire } from 'node:module';

/** Room for the CBOR encoding of any answer kinesalite gives (a 500-entry answer is ~45 KiB). */
const CBOR_ANSWER_MAX_BYTES = 64 * 1024 * 1024;

interface CborEncoderClass {
  encodeOne(value: unknown, options?: Record<string, unknown>): Buffer;
}

/**
 * Lets kinesalite answer CBOR requests whole. kinesalite encodes each CBOR answer with the
 * `cbor` package's `Encoder.encodeOne`, which (cbor 5) returns only the first 16 KiB, its stream
 * buffer, of a larger encoding: the answer to a PutRecords request of more than ~180 entries
 * came cut short. The encoder kinesalite loads is given a buffer large enough instead.
 * Idempotent; a kinesalite without the `cbor` package is left alone.
 *
 * @example
 * ```ts
 * wholeKinesaliteCborAnswers();
 * const server = require('kinesalite')({ createStreamMs: 0 });
 * ```
 */
export function wholeKinesaliteCborAnswers(): void {
  const require = createRequire(import.meta.url);
  let encoder: CborEncoderClass & { kinlogWhole?: boolean };
  try {
    encoder = (createRequire(require.resolve('kinesalite'))('cbor') as { Encoder: CborEncoderClass })
      .Encoder;
  } catch {
    return;
  }
  if (encoder.kinlogWhole === true) return;
  const encodeOne = encoder.encodeOne.bind(encoder);
  encoder.encodeOne = (value, options) =>
    encodeOne(value, { highWaterMark: CBOR_ANSWER_MAX_BYTES, ...options });
  encoder.kinlogWhole = true;
}
