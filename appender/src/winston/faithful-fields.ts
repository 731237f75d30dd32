import { needsJsonSafe, toJsonSafe, UNREADABLE_MARKER } from '../sink/json-safe.js';

/** The shape winston (logform) takes as a format: an object with `transform`. */
export interface FaithfulFieldsFormat {
  transform<Info extends object>(info: Info): Info;
}

/**
 * A winston format that makes the fields of each event JSON-faithful before any later format
 * or transport sees them (the same encoding the Kinesis transport applies): Errors keep name,
 * message, stack, own fields and cause chain, Buffers, Maps, Sets and BigInts are written as
 * data, cycles and nesting deeper than `MAX_EVENT_DEPTH` end in a marker. Put it first: winston's
 * own `format.json()` (the default) overflows the stack on a very deep object and throws into
 * the application before any transport runs. Plain fields cost one cheap walk.
 *
 * @example
 * ```ts
 * const logger = winston.createLogger({
 *   format: winston.format.combine(faithfulFields(), winston.format.json()),
 *   transports: [new KinesisTransport({ streamName: 'app-logs' }), new winston.transports.Console()],
 * });
 * ```
 */
export function faithfulFields(): FaithfulFieldsFormat {
  return {
    transform<Info extends object>(info: Info): Info {
      const fields = info as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        let value: unknown;
        try {
          value = fields[key];
        } catch {
          // A throwing getter must not throw into the application; later formats can read this.
          value = UNREADABLE_MARKER;
          tryDefine(fields, key, value);
          continue;
        }
        if (needsJsonSafe(value)) tryDefine(fields, key, toJsonSafe(value));
      }
      return info;
    },
  };
}

/** Replaces a field even when it is a getter without a setter; leaves it if it cannot. */
function tryDefine(fields: Record<string, unknown>, key: string, value: unknown): void {
  try {
    Object.defineProperty(fields, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } catch {
    // A frozen or non-configurable field stays as it is.
  }
}
