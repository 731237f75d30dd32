/**
 * Small integer codes for the values of a column that takes few of them (a stream table's
 * `_shard` and `_format`): the table stores the code, and its view turns it back into the
 * value by list index, so the text is neither parsed nor stored once per row.
 *
 * @example
 * ```ts
 * const shards = new ValueCodes();
 * shards.codeOf('shardId-000000000000'); // 1
 * shards.codeOf('shardId-000000000001'); // 2
 * shards.codeOf('shardId-000000000000'); // 1
 * shards.values; // ['shardId-000000000000', 'shardId-000000000001']
 * ```
 */
export class ValueCodes {
  /** Every value coded so far; a value's code is its place here, from 1 (a DuckDB list index). */
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();

  /** The code of `value`, given to it the first time it comes. */
  codeOf(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}
