// Decodes raw little-endian tensor bytes of the dtypes checkpoints use into float32, shared by the
// PyTorch and safetensors readers (method.md §1: the backbone runs in float32).

export type Dtype = 'f32' | 'f16' | 'bf16' | 'f64' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' | 'bool';

export const DTYPE_BYTES: Record<Dtype, number> = {
  f32: 4, f16: 2, bf16: 2, f64: 8, i64: 8, i32: 4, i16: 2, i8: 1, u8: 1, bool: 1,
};

/** IEEE half → float: exact, subnormals and inf/NaN included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Copies first: checkpoint data may sit at any byte offset, typed arrays need aligned starts. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/**
 * Converts `count` elements of `dtype` starting at `bytes[0]` to float32. Assumes a little-endian
 * host (every browser and Node platform), which matches the on-disk byte order of both formats.
 * float32 input may be returned as a view sharing memory with `bytes`.
 */
export function decodeToFloat32(bytes: Uint8Array, dtype: Dtype, count: number): Float32Array {
  const need = count * DTYPE_BYTES[dtype];
  if (bytes.length < need) throw new Error(`${count} ${dtype} values need ${need} bytes, only ${bytes.length} present`);
  const src = bytes.subarray(0, need);
  switch (dtype) {
    case 'f32':
      // Large checkpoints: view the bytes in place when they are aligned rather than copy them.
      return src.byteOffset % 4 === 0 ? new Float32Array(src.buffer, src.byteOffset, count) : new Float32Array(aligned(src));
    case 'f64':
      return Float32Array.from(new Float64Array(aligned(src)));
    case 'f16': {
      const u16 = new Uint16Array(aligned(src));
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(u16[i]);
      return out;
    }
    case 'bf16': {
      // bfloat16 is the top half of a float32.
      const u16 = new Uint16Array(aligned(src));
      const u32 = new Uint32Array(count);
      for (let i = 0; i < count; i++) u32[i] = u16[i] << 16;
      return new Float32Array(u32.buffer);
    }
    case 'i64':
      return Float32Array.from(new BigInt64Array(aligned(src)), (v) => Number(v));
    case 'i32':
      return Float32Array.from(new Int32Array(aligned(src)));
    case 'i16':
      return Float32Array.from(new Int16Array(aligned(src)));
    case 'i8':
      return Float32Array.from(new Int8Array(aligned(src)));
    case 'u8':
    case 'bool':
      return Float32Array.from(src);
  }
}
