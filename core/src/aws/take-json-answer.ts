/*
 *   SDK command ─▶ … ─▶ deserialize step ─▶ [takeJsonAnswer] ─▶ HTTP handler
 *                          ▲ SDK deserializer   │ 200 + JSON: parsed here, the SDK handed `empty`
 *                          └────────────────────┘ anything else: bytes put back, the SDK's to read
 *
 * The SDK's schema deserializer walks every member of every record in JavaScript (and decodes
 * base64 in JavaScript too); for the large, flat answers of PutRecords and GetRecords,
 * JSON.parse plus Node's native base64 read them several times faster.
 */

const HTTP_OK = 200;

/**
 * Reads the JSON body of a successful (200) HTTP response met in an SDK middleware and puts
 * `empty` in its place for the SDK's own deserializer, so the answer is parsed once, natively.
 * Anything else (an error status, a body that is not JSON) is left to the SDK, its bytes put
 * back: errors and throttling keep being reported by the SDK's own exceptions.
 *
 * @example
 * ```ts
 * command.middlewareStack.add(
 *   (next) => async (args) => {
 *     const out = await next(args);
 *     answer = await takeJsonAnswer(out.response, '{}');
 *     return out;
 *   },
 *   { step: 'deserialize', priority: 'low', name: 'readAnswer' },
 * );
 * ```
 */
export async function takeJsonAnswer(response: unknown, empty: string): Promise<unknown> {
  if (typeof response !== 'object' || response === null) return undefined;
  const http = response as { statusCode?: unknown; body?: unknown };
  if (http.statusCode !== HTTP_OK || !isAsyncIterable(http.body)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of http.body) chunks.push(asBuffer(chunk));
  // Most answers arrive in one chunk: read it in place rather than copy it.
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    http.body = bytes;
    return undefined;
  }
  http.body = Buffer.from(empty);
  return parsed;
}

/** A chunk of the body as a Buffer: a Buffer as is, other bytes viewed (not copied), text encoded. */
function asBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  const bytes = chunk as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
