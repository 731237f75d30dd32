import { expect } from 'chai';
import { MinCountHeap } from '../../../src/aggregate/min-count-heap.js';

describe('MinCountHeap', () => {
  it('keeps the smallest count on top as counts grow', () => {
    const items = [5, 3, 8, 1, 9, 2].map((count) => ({ count, heapIndex: -1 }));
    const heap = new MinCountHeap(items.slice());
    expect(heap.size).to.equal(6);
    expect(heap.min.count).to.equal(1);
    for (let round = 0; round < 30; round++) {
      const min = heap.min;
      min.count += 4;
      heap.siftDown(min.heapIndex);
      expect(heap.min.count).to.equal(Math.min(...items.map((i) => i.count)));
    }
    // Every item knows where it is.
    for (const item of items) expect(item.heapIndex).to.be.within(0, 5);
    expect(new Set(items.map((i) => i.heapIndex)).size).to.equal(6);
  });
});
