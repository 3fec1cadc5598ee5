// Saving and loading a trained adaptation head: a compact JSON form with every Float32 array as
// little-endian base64, and the same JSON as UTF-8 bytes (what the app stores and exports). Method.md §6.
import { checkClasses, headLayout, type HeadKind, type HeadShape, type PatchHead } from './head';

export const HEAD_FORMAT = 'u2seg-patch-head';
export const HEAD_FORMAT_VERSION = 1;

export interface SerializedHead {
  format: typeof HEAD_FORMAT;
  version: number;
  kind: HeadKind;
  tokenDim: number;
  hiddenDim: number;
  classNames: string[];
  thingCount: number;
  /** base64 of float32 little-endian [tokenDim] */
  inputMean: string;
  /** base64 of float32 little-endian [tokenDim] */
  inputInvStd: string;
  /** base64 of float32 little-endian [headLayout(shape).paramCount] */
  params: string;
  /** Free-form provenance (model id, training settings); never read back into the head. */
  info?: Record<string, string | number | boolean>;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    parts.push(B64[(n >> 18) & 63], B64[(n >> 12) & 63], left > 1 ? B64[(n >> 6) & 63] : '=', left > 2 ? B64[n & 63] : '=');
  }
  return parts.join('');
}

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (text.length % 4 !== 0) throw new Error('base64 length must be a multiple of 4');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, acc = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? B64_INDEX[code] : -1;
    if (v < 0) throw new Error(`invalid base64 character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

export function float32ToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytesToBase64(bytes);
}

export function base64ToFloat32(text: string, expectedLength: number, what: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.length !== expectedLength * 4) throw new Error(`${what}: ${bytes.length} bytes, expected ${expectedLength} float32`);
  const view = new DataView(bytes.buffer);
  return Float32Array.from({ length: expectedLength }, (_, i) => view.getFloat32(i * 4, true));
}

export function headToJson(head: PatchHead, info?: SerializedHead['info']): SerializedHead {
  return {
    format: HEAD_FORMAT,
    version: HEAD_FORMAT_VERSION,
    kind: head.shape.kind,
    tokenDim: head.shape.tokenDim,
    hiddenDim: head.shape.hiddenDim,
    classNames: [...head.classes.names],
    thingCount: head.classes.thingCount,
    inputMean: float32ToBase64(head.input.mean),
    inputInvStd: float32ToBase64(head.input.invStd),
    params: float32ToBase64(head.params),
    ...(info ? { info } : {}),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Validates and decodes a serialized head (throws with the first problem found). */
export function headFromJson(json: unknown): PatchHead {
  if (!isRecord(json) || json.format !== HEAD_FORMAT) throw new Error(`not a ${HEAD_FORMAT} file`);
  if (json.version !== HEAD_FORMAT_VERSION) throw new Error(`head format version ${String(json.version)}; this build reads ${HEAD_FORMAT_VERSION}`);
  const { kind, tokenDim, hiddenDim, classNames, thingCount } = json;
  if (kind !== 'linear' && kind !== 'mlp') throw new Error(`unknown head kind ${String(kind)}`);
  if (!isCount(tokenDim, 1) || !isCount(hiddenDim, 0) || !isCount(thingCount, 0)) throw new Error('tokenDim, hiddenDim and thingCount must be integers');
  if (!Array.isArray(classNames) || !classNames.every((n) => typeof n === 'string')) throw new Error('classNames must be strings');
  for (const key of ['inputMean', 'inputInvStd', 'params']) if (typeof json[key] !== 'string') throw new Error(`${key} must be a base64 string`);
  const shape: HeadShape = { kind, tokenDim, hiddenDim: kind === 'linear' ? 0 : hiddenDim, classCount: classNames.length };
  const classes = { names: classNames as string[], thingCount };
  checkClasses(classes, shape.classCount);
  const layout = headLayout(shape);
  return {
    shape,
    classes,
    input: {
      mean: base64ToFloat32(json.inputMean as string, tokenDim, 'inputMean'),
      invStd: base64ToFloat32(json.inputInvStd as string, tokenDim, 'inputInvStd'),
    },
    params: base64ToFloat32(json.params as string, layout.paramCount, 'params'),
  };
}
