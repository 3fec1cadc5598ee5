import { describe, expect, it } from 'vitest';
import { poolPlan } from '../../../src/ui/processing/worker-pool';

describe('poolPlan', () => {
  it('on few cores runs one photo per core with one thread each; beyond, gives each worker threads', () => {
    expect(poolPlan(1)).toEqual({ workers: 1, threadsPerWorker: 1 });
    expect(poolPlan(2)).toEqual({ workers: 2, threadsPerWorker: 1 });
    expect(poolPlan(4)).toEqual({ workers: 2, threadsPerWorker: 2 });
    expect(poolPlan(8)).toEqual({ workers: 4, threadsPerWorker: 2 });
    expect(poolPlan(32)).toEqual({ workers: 4, threadsPerWorker: 4 });
  });

  it('never uses more threads in all than cores, except where the page asks', () => {
    for (let cores = 1; cores <= 64; cores++) {
      const p = poolPlan(cores);
      expect(p.workers * p.threadsPerWorker).toBeLessThanOrEqual(Math.max(cores, 1));
    }
    expect(poolPlan(0)).toEqual(poolPlan(2)); // navigator.hardwareConcurrency unknown
  });

  it('follows ?workers= and ?threads=', () => {
    expect(poolPlan(2, { workers: 1, threads: null })).toEqual({ workers: 1, threadsPerWorker: 2 });
    expect(poolPlan(8, { workers: 3, threads: null })).toEqual({ workers: 3, threadsPerWorker: 2 });
    expect(poolPlan(2, { workers: 1, threads: 4 })).toEqual({ workers: 1, threadsPerWorker: 4 });
    expect(poolPlan(16, { workers: null, threads: 1 })).toEqual({ workers: 4, threadsPerWorker: 1 });
  });
});
