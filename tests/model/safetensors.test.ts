// Tests the safetensors reader on a file built byte by byte from the format spec, its refusals,
// and the Hugging Face ViT → DINO renaming (a Hub-style file converts to the same ONNX bytes).
import { describe, expect, it } from 'vitest';
import { huggingFaceVitToDino, isHuggingFaceVit } from '../../src/model/checkpoint/hf-vit-keys';
import { readPth } from '../../src/model/checkpoint/pth-reader';
import { readCheckpoint, sniffCheckpointFormat } from '../../src/model/checkpoint/read-checkpoint';
import { readSafetensors, writeSafetensors } from '../../src/model/checkpoint/safetensors-reader';
import { convertDino } from '../../src/model/vit/dino';
import type { NamedTensor, StateDict } from '../../src/model/vit/vit-onnx';
import { fixtureBytes } from './dino-fixtures';

/** Header length (u64 LE), JSON header, then the raw little-endian data section. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32le = (v: number[]) => Array.from(new Uint8Array(Float32Array.from(v).buffer));
const u16le = (v: number[]) => v.flatMap((x) => [x & 0xff, x >> 8]);

const HEADER = {
  __metadata__: { format: 'pt' },
  'module.w': { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
  h: { dtype: 'F16', shape: [3], data_offsets: [16, 22] },
  b: { dtype: 'BF16', shape: [2], data_offsets: [22, 26] },
};
// 1, -2, 0.5 in half; 1, -3 in bfloat16.
const DATA = [...f32le([1, -2, 3.5, 0.25]), ...u16le([0x3c00, 0xc000, 0x3800]), ...u16le([0x3f80, 0xc040])];

describe('readSafetensors', () => {
  it('reads F32, F16 and BF16 tensors and strips module.', () => {
    const bytes = handMade(HEADER, DATA);
    expect(sniffCheckpointFormat(bytes)).toBe('safetensors');
    const sd = readCheckpoint(bytes);
    expect([...sd.keys()]).toEqual(['w', 'h', 'b']);
    expect(sd.get('w')).toEqual({ data: Float32Array.from([1, -2, 3.5, 0.25]), shape: [2, 2] });
    expect(sd.get('h')).toEqual({ data: Float32Array.from([1, -2, 0.5]), shape: [3] });
    expect(sd.get('b')).toEqual({ data: Float32Array.from([1, -3]), shape: [2] });
  });

  it('round-trips through writeSafetensors with an 8-byte aligned data section', () => {
    const sd = readPth(fixtureBytes('tiny_dino.pth'));
    const bytes = writeSafetensors(sd, { source: 'test' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect([...back.keys()]).toEqual([...sd.keys()]);
    for (const [k, t] of sd) expect(back.get(k), k).toEqual(t);
  });

  it('refuses truncated files, bad headers and unknown dtypes', () => {
    const good = handMade(HEADER, DATA);
    expect(() => readSafetensors(good.subarray(0, good.length - 3))).toThrow(/^not a safetensors file: tensor "b" needs bytes \[22, 26\) but the data section holds 23 \(truncated\?\)/);
    expect(() => readSafetensors(good.subarray(0, 40))).toThrow(/^not a safetensors file: header claims .* \(truncated\?\)/);
    expect(() => readSafetensors(good.subarray(0, 5))).toThrow(/^not a safetensors file: only 5 bytes/);
    expect(() => readSafetensors(handMade({ x: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, [0]))).toThrow(/unsupported dtype F8_E4M3/);
    expect(() => readSafetensors(handMade({ x: { dtype: 'F32', shape: [1] } }, []))).toThrow(/"x" lacks dtype \/ shape \/ data_offsets/);
    const notJson = handMade({}, []);
    notJson[8] = 0x21;
    expect(() => readSafetensors(notJson)).toThrow(/^not a safetensors file: the header is not JSON/);
    expect(() => readCheckpoint(good.subarray(0, 40), 'x.safetensors')).toThrow(/^not a safetensors file/);
  });
});

/** The inverse of huggingFaceVitToDino, as transformers' convert_dino_to_pytorch names things. */
function toHuggingFace(sd: StateDict): StateDict {
  const out: StateDict = new Map();
  const put = (k: string, t: NamedTensor | undefined) => {
    if (t) out.set(`vit.${k}`, t);
  };
  put('embeddings.cls_token', sd.get('cls_token'));
  put('embeddings.position_embeddings', sd.get('pos_embed'));
  put('embeddings.patch_embeddings.projection.weight', sd.get('patch_embed.proj.weight'));
  put('embeddings.patch_embeddings.projection.bias', sd.get('patch_embed.proj.bias'));
  put('layernorm.weight', sd.get('norm.weight'));
  put('layernorm.bias', sd.get('norm.bias'));
  for (let i = 0; sd.has(`blocks.${i}.norm1.weight`); i++) {
    const b = `blocks.${i}`;
    const l = `encoder.layer.${i}`;
    for (const kind of ['weight', 'bias']) {
      const qkv = sd.get(`${b}.attn.qkv.${kind}`) as NamedTensor;
      const rows = qkv.shape[0] / 3;
      const rowLen = qkv.data.length / qkv.shape[0];
      ['query', 'key', 'value'].forEach((n, j) =>
        put(`${l}.attention.attention.${n}.${kind}`, {
          data: qkv.data.slice(j * rows * rowLen, (j + 1) * rows * rowLen),
          shape: [rows, ...qkv.shape.slice(1)],
        }),
      );
      put(`${l}.layernorm_before.${kind}`, sd.get(`${b}.norm1.${kind}`));
      put(`${l}.layernorm_after.${kind}`, sd.get(`${b}.norm2.${kind}`));
      put(`${l}.attention.output.dense.${kind}`, sd.get(`${b}.attn.proj.${kind}`));
      put(`${l}.intermediate.dense.${kind}`, sd.get(`${b}.mlp.fc1.${kind}`));
      put(`${l}.output.dense.${kind}`, sd.get(`${b}.mlp.fc2.${kind}`));
    }
  }
  return out;
}

describe('Hugging Face ViT names', () => {
  it('map back to DINO names, and a Hub-style safetensors converts to identical ONNX bytes', async () => {
    const sd = readPth(fixtureBytes('tiny_dino.pth'));
    const hf = readSafetensors(writeSafetensors(toHuggingFace(sd)));
    expect(isHuggingFaceVit(hf)).toBe(true);
    expect(isHuggingFaceVit(sd)).toBe(false);
    const mapped = huggingFaceVitToDino(hf);
    expect([...mapped.keys()].sort()).toEqual([...sd.keys()].sort());
    for (const [k, t] of sd) expect(mapped.get(k), k).toEqual(t);
    const direct = await convertDino(sd, { inputSize: 96, numHeads: 4 });
    const viaHub = await convertDino(hf, { inputSize: 96, numHeads: 4 });
    expect(viaHub.manifest.sha256).toBe(direct.manifest.sha256);
  });
});
