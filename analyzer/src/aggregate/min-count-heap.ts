/** What the heap orders: anything with a count and a slot for its own position. */
export interface HeapItem {
  count: number;
  heapIndex: number;
}

/**
 * A binary min-heap on `count` whose items know their index, so an item whose count grew can be
 * moved down in O(log m) without a search. Space-Saving only ever raises counts and replaces the
 * minimum, so `siftDown` is the only repair needed.
 *
 * @example
 * ```ts
 * const heap = new MinCountHeap([{ count: 3, heapIndex: -1 }, { count: 1, heapIndex: -1 }]);
 * heap.min.count; // 1
 * ```
 */
export class MinCountHeap<T extends HeapItem> {
  private readonly items: T[];

  /** Takes ownership of `items` and arranges them in O(m). */
  constructor(items: T[]) {
    this.items = items;
    for (let i = 0; i < items.length; i++) items[i]!.heapIndex = i;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.items.length;
  }

  /** The item with the smallest count (the heap is never empty once built). */
  get min(): T {
    return this.items[0]!;
  }

  /** Restores order after `items[index].count` was raised. */
  siftDown(index: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[index]!;
    const count = item.count;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      let childItem = items[left]!;
      if (right < n && items[right]!.count < childItem.count) {
        child = right;
        childItem = items[right]!;
      }
      if (childItem.count >= count) break;
      items[i] = childItem;
      childItem.heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
