// Reads .safetensors files (8-byte little-endian header length, JSON header, raw tensor bytes) into
// float32 state dicts, the other format backbone weights (method.md §1) are published in.
import type { StateDict } from '../vit/vit-onnx';
import { decodeToFloat32, type Dtype } from './dtypes';
import { selectStateDict } from './state-dict';

const SAFETENSORS_DTYPES: Record<string, Dtype> = {
  F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64', I64: 'i64', I32: 'i32', I16: 'i16', I8: 'i8', U8: 'u8', BOOL: 'bool',
};

/** Headers beyond this are not safetensors files (the format caps them at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function notSafetensors(why: string): Error {
  return new Error(`not a safetensors file: ${why}`);
}

function parseHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw notSafetensors(`only ${bytes.length} bytes`);
  const headerBytes = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerBytes > MAX_HEADER_BYTES) throw notSafetensors(`header length ${headerBytes} is implausible`);
  if (8 + headerBytes > bytes.length) {
    throw notSafetensors(`header claims ${headerBytes} bytes but the file has ${bytes.length - 8} after the length (truncated?)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (err) {
    throw notSafetensors(`the header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw notSafetensors('the header is not a JSON object');
  return { header: header as Record<string, unknown>, dataStart: 8 + headerBytes };
}

function checkEntry(name: string, v: unknown): HeaderEntry {
  const e = v as Partial<HeaderEntry> | null;
  const ok =
    typeof e === 'object' && e !== null && typeof e.dtype === 'string' && Array.isArray(e.shape) &&
    e.shape.every((d) => Number.isInteger(d) && d >= 0) && Array.isArray(e.data_offsets) && e.data_offsets.length === 2 &&
    e.data_offsets.every((d) => Number.isInteger(d) && d >= 0);
  if (!ok) throw notSafetensors(`header entry "${name}" lacks dtype / shape / data_offsets`);
  return e as HeaderEntry;
}

/**
 * Reads every tensor as float32 (F16/BF16/F64 and integer dtypes converted), then applies the same
 * state-dict normalisation as readPth (`module.` / `backbone.` prefixes stripped).
 */
export function readSafetensors(bytes: Uint8Array): StateDict {
  const { header, dataStart } = parseHeader(bytes);
  const dataBytes = bytes.length - dataStart;
  const tensors = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = checkEntry(name, value);
    const dtype = SAFETENSORS_DTYPES[e.dtype];
    if (!dtype) throw notSafetensors(`tensor "${name}" has unsupported dtype ${e.dtype}`);
    const [begin, end] = e.data_offsets;
    if (end > dataBytes || begin > end) {
      throw notSafetensors(`tensor "${name}" needs bytes [${begin}, ${end}) but the data section holds ${dataBytes} (truncated?)`);
    }
    const count = e.shape.reduce((a, b) => a * b, 1);
    const data = decodeToFloat32(bytes.subarray(dataStart + begin, dataStart + end), dtype, count);
    tensors.set(name, { data, shape: [...e.shape] });
  }
  const isTensor = (v: unknown): v is { data: Float32Array; shape: number[] } => typeof v === 'object' && v !== null && 'data' in v;
  return selectStateDict(new Map<unknown, unknown>(tensors), isTensor);
}

/** Writes a float32 state dict as safetensors (for tests and for exporting converted weights). */
export function writeSafetensors(sd: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of sd) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  // The spec pads the header with spaces so the data section starts 8-byte aligned.
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of sd.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}
