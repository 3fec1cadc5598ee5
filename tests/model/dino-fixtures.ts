// Shared helpers for the checkpoint / DINO tests: the PyTorch fixtures of
// tests/fixtures/dino/make_dino_golden.py and a small onnxruntime-node runner.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

export const FIXTURES = fileURLToPath(new URL('../fixtures/dino', import.meta.url));

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

export interface TensorSummary {
  dtype: string;
  contiguous: boolean;
  offset: number;
  shape: number[];
  first: number[];
  sum: number;
  abs_sum: number;
}

export interface GoldenCase {
  size: number;
  grid: number;
  rows: number[];
  keys: number[][];
  tokens: number[][];
  cls: number[];
  pos_embed: number[][];
  checksums: { keys_abs_sum: number; keys_sq_sum: number; tokens_abs_sum: number; tokens_sq_sum: number };
}

export interface Golden {
  config: { embed_dim: number; depth: number; heads: number; patch: number; train_size: number };
  tensors: Record<string, TensorSummary>;
  cases: GoldenCase[];
}

export function readGolden(): Golden {
  return JSON.parse(readFileSync(path.join(FIXTURES, 'golden.json'), 'utf8')) as Golden;
}

/** The script's test_image(): a smooth pattern, computed in float64 then stored as float32. */
export function testImage(size: number): Float32Array {
  const out = new Float32Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        out[(c * size + y) * size + x] = 1.5 * Math.sin(0.21 * x + 0.13 * y + 1.7 * c) + 0.5 * Math.cos(0.05 * x * (c + 1) - 0.07 * y);
      }
    }
  }
  return out;
}

export interface VitRun {
  keys: Float32Array;
  keysDims: number[];
  tokens: Float32Array;
  tokensDims: number[];
  cls: Float32Array;
  clsDims: number[];
}

export async function runVit(onnx: Uint8Array, image: Float32Array, size: number): Promise<VitRun> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const out = await session.run({ image: new ort.Tensor('float32', image, [1, 3, size, size]) });
    const get = (n: string) => ({ data: out[n].data as Float32Array, dims: [...out[n].dims] });
    const [k, t, c] = [get('keys'), get('tokens'), get('cls')];
    return { keys: k.data, keysDims: k.dims, tokens: t.data, tokensDims: t.dims, cls: c.data, clsDims: c.dims };
  } finally {
    await session.release();
  }
}

/** Scale-relative error: max |a − b| over max |b|, so near-zero entries do not dominate. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxDiff / maxRef;
}

export function rowOf(data: Float32Array, row: number, dim: number): Float32Array {
  return data.subarray(row * dim, (row + 1) * dim);
}
