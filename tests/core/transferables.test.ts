import { describe, expect, it } from 'vitest';
import { transferables } from '../../src/core/transferables';

describe('transferables', () => {
  it('finds every buffer under nested objects and arrays once, views of one buffer included', () => {
    const shared = new Float32Array(8);
    const own = new Uint8ClampedArray(4);
    const value = { rgba: { data: own, width: 2 }, features: { keys: shared, tokens: shared.subarray(2), cls: new Float32Array(2) }, views: [{ features: { keys: shared } }], name: 'p' };
    const buffers = transferables(value);
    expect(buffers).toHaveLength(3);
    expect(new Set(buffers)).toEqual(new Set([shared.buffer, own.buffer, value.features.cls.buffer]));
  });

  it('lets structuredClone move them (the sender keeps detached arrays)', () => {
    const value = { a: new Float32Array([1, 2]), b: [new Uint8Array([3])] };
    const moved = structuredClone(value, { transfer: transferables(value) });
    expect(Array.from(moved.a)).toEqual([1, 2]);
    expect(value.a.length).toBe(0);
  });
});
