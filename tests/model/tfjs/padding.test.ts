// TF 'SAME'/'VALID' arithmetic and kernel re-layout, the pieces of the CNN converter (method.md §1)
// where TensorFlow and ONNX conventions differ.
import { describe, expect, it } from 'vitest';
import { hwioToOihw } from '../../../src/model/tfjs/layer-ops';
import { kerasZeroPadding, samePadding, validPadding } from '../../../src/model/tfjs/padding';

describe('TF SAME padding', () => {
  it('puts the odd pixel after (bottom/right), as TensorFlow does', () => {
    // 10 px, k3, s2 → 5 outputs need (5−1)·2 + 3 − 10 = 1 pad: TF puts it after, ONNX SAME_UPPER agrees, SAME_LOWER and PyTorch do not.
    expect(samePadding(10, 3, 2)).toEqual({ before: 0, after: 1, outSize: 5 });
    expect(samePadding(9, 3, 2)).toEqual({ before: 1, after: 1, outSize: 5 });
    expect(samePadding(224, 3, 2)).toEqual({ before: 0, after: 1, outSize: 112 });
  });

  it('keeps the size at stride 1 and never pads negatively', () => {
    expect(samePadding(17, 7, 1)).toEqual({ before: 3, after: 3, outSize: 17 });
    expect(samePadding(17, 1, 1)).toEqual({ before: 0, after: 0, outSize: 17 });
    expect(samePadding(8, 1, 2)).toEqual({ before: 0, after: 0, outSize: 4 });
  });

  it('uses the dilated kernel extent', () => {
    expect(samePadding(10, 3, 1, 2)).toEqual({ before: 2, after: 2, outSize: 10 });
  });
});

describe('TF VALID padding', () => {
  it('keeps only whole windows', () => {
    expect(validPadding(299, 3, 2)).toEqual({ before: 0, after: 0, outSize: 149 });
    expect(validPadding(35, 3, 2)).toEqual({ before: 0, after: 0, outSize: 17 });
    expect(() => validPadding(2, 3, 1)).toThrow(/does not fit/);
  });
});

describe('Keras ZeroPadding2D', () => {
  it('reads all three forms of `padding`', () => {
    expect(kerasZeroPadding(1)).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(kerasZeroPadding([1, 2])).toEqual({ top: 1, bottom: 1, left: 2, right: 2 });
    expect(kerasZeroPadding([[0, 1], [0, 1]])).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    expect(() => kerasZeroPadding('same')).toThrow(/unsupported/);
  });
});

describe('kernel layout HWIO → OIHW', () => {
  it('moves every element to [out, in, y, x]', () => {
    const [kh, kw, inC, outC] = [2, 3, 2, 4];
    const hwio = Float32Array.from({ length: kh * kw * inC * outC }, (_, i) => i);
    const oihw = hwioToOihw(hwio, kh, kw, inC, outC);
    for (let o = 0; o < outC; o++)
      for (let i = 0; i < inC; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) expect(oihw[((o * inC + i) * kh + y) * kw + x]).toBe(hwio[((y * kw + x) * inC + i) * outC + o]);
  });
});
