// Decodes TF.js weight shards into float32 arrays, dequantising exactly as tfjs-core's
// io_utils.decodeWeights does, so the converted CNN backbone (method.md §1) equals the TF.js model.
import type { WeightGroup, WeightMap, WeightSpec } from './tfjs-json';

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function bytesPerValue(spec: WeightSpec): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const n = BYTES_PER_VALUE[dtype];
  if (!n) throw new Error(`weight ${spec.name}: unsupported dtype ${dtype}`);
  return n;
}

/** IEEE half → float; TF.js writes float16 little-endian. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * One weight's values from its bytes. uint8/uint16: q * scale + min, computed in double and then
 * rounded to float32 (what TF.js does, so the two agree bit for bit); int32 weights become floats.
 */
export function decodeWeight(spec: WeightSpec, bytes: Uint8Array): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const q = spec.quantization;
  if (q && (q.dtype === 'uint8' || q.dtype === 'uint16')) {
    if (q.min === undefined || q.scale === undefined) throw new Error(`weight ${spec.name}: ${q.dtype} without min/scale`);
    for (let i = 0; i < count; i++) {
      const v = q.dtype === 'uint8' ? bytes[i] : view.getUint16(i * 2, true);
      out[i] = v * q.scale + q.min;
    }
  } else if (q?.dtype === 'float16') {
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
  } else if (spec.dtype === 'int32') {
    for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
  } else {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/**
 * All weights of a manifest. `shardBytes` holds every group's shards concatenated in manifest
 * order (TF.js lays weights back to back across shard boundaries, with no alignment).
 */
export function decodeWeights(manifest: WeightGroup[], shardBytes: Uint8Array): WeightMap {
  const weights: WeightMap = new Map();
  let offset = 0;
  for (const spec of manifest.flatMap((g) => g.weights)) {
    const byteLength = spec.shape.reduce((a, b) => a * b, 1) * bytesPerValue(spec);
    if (offset + byteLength > shardBytes.byteLength) {
      throw new Error(`weight ${spec.name} runs past the end of the shards (${shardBytes.byteLength} bytes)`);
    }
    weights.set(spec.name, { data: decodeWeight(spec, shardBytes.subarray(offset, offset + byteLength)), shape: spec.shape });
    offset += byteLength;
  }
  if (offset !== shardBytes.byteLength) {
    throw new Error(`the manifest describes ${offset} bytes but the shards hold ${shardBytes.byteLength}`);
  }
  return weights;
}
