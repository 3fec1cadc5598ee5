// Tests the torch.save reader against files written by PyTorch 1.13 (make_dino_golden.py):
// dtypes, strides, shared storages, nesting, the legacy format and the refusals.
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { halfToFloat } from '../../src/model/checkpoint/dtypes';
import { gatherStrided, readPth } from '../../src/model/checkpoint/pth-reader';
import { readCheckpoint, sniffCheckpointFormat } from '../../src/model/checkpoint/read-checkpoint';
import { fixtureBytes, readGolden } from './dino-fixtures';

describe('readPth on tiny_dino.pth (torch 1.13 zip format)', () => {
  const golden = readGolden();
  const sd = readPth(fixtureBytes('tiny_dino.pth'));

  it('returns every tensor of the state dict with its shape', () => {
    expect([...sd.keys()].sort()).toEqual(Object.keys(golden.tensors).sort());
    for (const [name, t] of sd) expect(t.shape, name).toEqual(golden.tensors[name].shape);
  });

  it('matches PyTorch values for float32, float16, bfloat16, strided and offset tensors', () => {
    const kinds = new Set<string>();
    for (const [name, s] of Object.entries(golden.tensors)) {
      const t = sd.get(name);
      if (!t) throw new Error(`missing ${name}`);
      kinds.add(s.dtype);
      if (!s.contiguous) kinds.add('non-contiguous');
      if (s.offset > 0) kinds.add('offset');
      // The golden keeps 6 significant digits.
      Array.from(t.data.subarray(0, 4)).forEach((v, i) => expect(Math.abs(v - s.first[i])).toBeLessThanOrEqual(6e-6 * Math.abs(s.first[i])));
      const sum = t.data.reduce((a, b) => a + b, 0);
      const absSum = t.data.reduce((a, b) => a + Math.abs(b), 0);
      expect(Math.abs(sum - s.sum), name).toBeLessThan(1e-4 * s.abs_sum + 1e-6);
      expect(Math.abs(absSum - s.abs_sum) / s.abs_sum, name).toBeLessThan(1e-6);
    }
    expect([...kinds].sort()).toEqual(['bfloat16', 'float16', 'float32', 'non-contiguous', 'offset']);
  });

  it('is recognised as a PyTorch checkpoint by readCheckpoint', () => {
    expect(sniffCheckpointFormat(fixtureBytes('tiny_dino.pth'))).toBe('pth');
    expect(readCheckpoint(fixtureBytes('tiny_dino.pth')).size).toBe(sd.size);
  });
});

describe('readPth on nested and legacy checkpoints', () => {
  it('takes the teacher of a DINO training checkpoint and strips backbone./module.', () => {
    const plain = readPth(fixtureBytes('tiny_dino.pth'));
    const nested = readPth(fixtureBytes('tiny_nested.pth'));
    expect([...nested.keys()].sort()).toEqual(['cls_token', 'head.last_layer.weight', 'norm.bias', 'norm.weight']);
    // The student copy was saved as zeros: equal values prove the teacher was chosen.
    expect(Array.from(nested.get('cls_token')?.data ?? [])).toEqual(Array.from(plain.get('cls_token')?.data ?? []));
    expect(Array.from(nested.get('head.last_layer.weight')?.data ?? [])).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads the pre-1.6 legacy stream (float32, float16, transposed float64)', () => {
    const sd = readPth(fixtureBytes('tiny_legacy.pth'));
    expect(sd.get('a')).toEqual({ data: Float32Array.from([0, 1, 2, 3, 4, 5]), shape: [2, 3] });
    expect(sd.get('b')).toEqual({ data: Float32Array.from([1.5, -2.25]), shape: [2] });
    // c = arange(12).reshape(3, 4).t(): c[i][j] = 4 j + i.
    const c = sd.get('c');
    expect(c?.shape).toEqual([4, 3]);
    expect(Array.from(c?.data ?? [])).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('reads pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL), the state dict under "model"', () => {
    const sd = readPth(fixtureBytes('tiny_proto4.pth'));
    expect([...sd.entries()]).toEqual([
      ['x', { data: Float32Array.from([0.5, -1, 2, 4]), shape: [2, 2] }],
      // A Tensor subclass, pickled through torch._tensor._rebuild_from_type_v2.
      ['y', { data: Float32Array.from([3, -0.125]), shape: [2] }],
    ]);
  });
});

describe('readPth refusals', () => {
  const good = fixtureBytes('tiny_dino.pth');

  it('refuses a truncated zip', () => {
    expect(() => readPth(good.subarray(0, good.length >> 1))).toThrow(/^not a PyTorch checkpoint: .*truncated/);
  });

  it('refuses an archive whose pickle is cut short', () => {
    const files = unzipSync(good);
    const pkl = Object.keys(files).find((n) => n.endsWith('/data.pkl')) as string;
    files[pkl] = files[pkl].subarray(0, 300);
    expect(() => readPth(zipSync(files, { level: 0 }))).toThrow(/^not a PyTorch checkpoint: pickle stream ends .*truncated/);
  });

  it('refuses a truncated legacy file', () => {
    const legacy = fixtureBytes('tiny_legacy.pth');
    expect(() => readPth(legacy.subarray(0, legacy.length - 10))).toThrow(/^not a PyTorch checkpoint: .*truncated/);
  });

  it('refuses random bytes, an empty file and an HTML error page', () => {
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    expect(() => readPth(random)).toThrow(/^not a PyTorch checkpoint: neither a zip archive nor a pickle stream/);
    expect(() => readPth(new Uint8Array(0))).toThrow(/empty file/);
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Not found</body></html>');
    expect(() => readPth(html)).toThrow(/HTML page/);
    expect(() => readCheckpoint(random, 'weights.pth')).toThrow(/^not a PyTorch checkpoint/);
    expect(() => readCheckpoint(random, 'weights.dat')).toThrow(/neither a PyTorch checkpoint/);
  });

  it('says where it looked when no state dict is inside', () => {
    const files = unzipSync(good);
    const pkl = Object.keys(files).find((n) => n.endsWith('/data.pkl')) as string;
    // A pickled {'epoch': 5}: PROTO 2, EMPTY_DICT, BINUNICODE 'epoch', BININT1 5, SETITEM, STOP.
    files[pkl] = Uint8Array.from([0x80, 2, 0x7d, 0x58, 5, 0, 0, 0, ...new TextEncoder().encode('epoch'), 0x4b, 5, 0x73, 0x2e]);
    expect(() => readPth(zipSync(files, { level: 0 }))).toThrow(/no state dict found in the checkpoint: top-level keys are \[epoch\]/);
  });
});

describe('reader helpers', () => {
  it('converts half floats exactly, subnormals and specials included', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('gathers a strided 3-D view', () => {
    const storage = Float32Array.from({ length: 30 }, (_, i) => i);
    // shape [2, 3, 2] with strides [1, 2, 6] from offset 3 (a permuted view).
    const out = gatherStrided(storage, { offset: 3, shape: [2, 3, 2], stride: [1, 2, 6] });
    const expected: number[] = [];
    for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) expected.push(3 + a + 2 * b + 6 * c);
    expect(Array.from(out)).toEqual(expected);
    expect(() => gatherStrided(storage, { offset: 20, shape: [2, 6], stride: [6, 1] })).toThrow(/reaches element/);
  });
});
