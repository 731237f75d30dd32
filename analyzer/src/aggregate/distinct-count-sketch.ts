import { hashKey } from './key-hash.js';

/** 2^14 registers: 16 KB, standard error about 0.8 %. */
const REGISTER_BITS = 14;
const REGISTERS = 1 << REGISTER_BITS;
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);

/**
 * A HyperLogLog estimate of how many distinct (region, page) keys were seen, used once the
 * top-N table is bounded and can no longer count them exactly. Fixed 16 KB whatever the input.
 *
 * @example
 * ```ts
 * const sketch = new DistinctCountSketch();
 * sketch.add('EU', '/cart');
 * sketch.estimate(); // 1
 * ```
 */
export class DistinctCountSketch {
  private readonly registers = new Uint8Array(REGISTERS);

  add(region: string, page: string): void {
    this.addHash(hashKey(region, page));
  }

  /** Adds a key by its `hashKey`, for callers that have it already. */
  addHash(hash: number): void {
    const index = hash >>> (32 - REGISTER_BITS);
    const rest = (hash << REGISTER_BITS) | (1 << (REGISTER_BITS - 1));
    const rank = Math.clz32(rest) + 1;
    if (rank > this.registers[index]!) this.registers[index] = rank;
  }

  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const raw = (ALPHA * REGISTERS * REGISTERS) / sum;
    if (raw <= 2.5 * REGISTERS && zeros > 0) {
      return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
    }
    return Math.round(raw);
  }
}
