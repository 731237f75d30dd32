import { expect } from 'chai';
import { DistinctCountSketch } from '../../../src/aggregate/distinct-count-sketch.js';

describe('DistinctCountSketch', () => {
  it('counts small sets exactly enough and ignores repeats', () => {
    const sketch = new DistinctCountSketch();
    for (let r = 0; r < 3; r++) for (let i = 0; i < 100; i++) sketch.add('EU', `/p/${i}`);
    expect(sketch.estimate()).to.be.within(98, 102);
  });

  it('estimates large sets within a few percent', () => {
    const sketch = new DistinctCountSketch();
    for (let i = 0; i < 200_000; i++) sketch.add(i % 2 === 0 ? 'EU' : 'NA', `/p/${i >> 1}`);
    expect(sketch.estimate()).to.be.within(200_000 * 0.97, 200_000 * 1.03);
  });

  it('tells region and page apart', () => {
    const sketch = new DistinctCountSketch();
    sketch.add('EU/a', '');
    sketch.add('EU', 'a');
    expect(sketch.estimate()).to.equal(2);
  });
});
