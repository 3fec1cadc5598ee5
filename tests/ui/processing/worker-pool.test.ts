import { describe, expect, it } from 'vitest';
import { photosInFlight, poolPlan } from '../../../src/ui/processing/worker-pool';

describe('poolPlan', () => {
  it('gives one worker every core up to 4 as threads, then one worker per 4 cores, at most 4', () => {
    expect(poolPlan(1)).toEqual({ workers: 1, threadsPerWorker: 1 });
    expect(poolPlan(2)).toEqual({ workers: 1, threadsPerWorker: 2 });
    expect(poolPlan(4)).toEqual({ workers: 1, threadsPerWorker: 4 });
    expect(poolPlan(8)).toEqual({ workers: 2, threadsPerWorker: 4 });
    expect(poolPlan(32)).toEqual({ workers: 4, threadsPerWorker: 4 });
  });

  it('never uses more threads in all than cores unless the page asks', () => {
    for (let cores = 1; cores <= 64; cores++) {
      const p = poolPlan(cores);
      expect(p.workers * p.threadsPerWorker).toBeLessThanOrEqual(cores);
    }
    expect(poolPlan(0)).toEqual(poolPlan(2)); // navigator.hardwareConcurrency unknown
  });

  it('follows ?workers= and ?threads=', () => {
    expect(poolPlan(2, { workers: 2, threads: null })).toEqual({ workers: 2, threadsPerWorker: 1 });
    expect(poolPlan(8, { workers: 3, threads: null })).toEqual({ workers: 3, threadsPerWorker: 2 });
    expect(poolPlan(2, { workers: 1, threads: 4 })).toEqual({ workers: 1, threadsPerWorker: 4 });
    expect(poolPlan(16, { workers: null, threads: 1 })).toEqual({ workers: 4, threadsPerWorker: 1 });
  });
});

describe('photosInFlight', () => {
  it('gives every worker a photo, and the model workers photos ahead only when others segment', () => {
    expect(photosInFlight(1, 1, 1)).toBe(3);
    expect(photosInFlight(1, 1, 0)).toBe(2);
    expect(photosInFlight(2, 2, 1)).toBe(5);
    // ?overlap=off: the model's workers segment their own photos; nothing is embedded ahead.
    expect(photosInFlight(1, 0, 1)).toBe(1);
  });
});
