/**
 * Hard limits of Amazon DynamoDB that kinlog's checkpoint and report items must respect.
 *
 * @example
 * ```ts
 * if (bytes > DynamoDbLimits.MAX_ITEM_BYTES) throw new Error('report too large');
 * ```
 */
export const DynamoDbLimits = {
  /** One item, attribute names and values included. */
  MAX_ITEM_BYTES: 400 * 1024,
  /** Items per TransactWriteItems (not used: the local emulator has no transactions). */
  MAX_TRANSACT_ITEMS: 100,
} as const;
