import { MemoryLeaseStore } from '../../../src/lease/memory-lease-store.js';
import { leaseStoreConformance } from '../../support/lease-store-conformance.js';

describe('MemoryLeaseStore', () => {
  leaseStoreConformance(() => Promise.resolve(new MemoryLeaseStore()));
});
