// Renames a Hugging Face `ViTModel` state dict (facebook/dino-vit* on the Hub) to DINO's own key
// names, so those .safetensors convert with the same code as the official .pth (method.md §1).
import type { NamedTensor, StateDict } from '../vit/vit-onnx';

/** HF name suffix → DINO name suffix inside one encoder layer (query/key/value are merged apart). */
const LAYER_RENAMES: [string, string][] = [
  ['layernorm_before', 'norm1'],
  ['layernorm_after', 'norm2'],
  ['attention.output.dense', 'attn.proj'],
  ['intermediate.dense', 'mlp.fc1'],
  ['output.dense', 'mlp.fc2'],
];

const TOP_RENAMES: [string, string][] = [
  ['embeddings.cls_token', 'cls_token'],
  ['embeddings.position_embeddings', 'pos_embed'],
  ['embeddings.patch_embeddings.projection.weight', 'patch_embed.proj.weight'],
  ['embeddings.patch_embeddings.projection.bias', 'patch_embed.proj.bias'],
  ['layernorm.weight', 'norm.weight'],
  ['layernorm.bias', 'norm.bias'],
];

export function isHuggingFaceVit(sd: StateDict): boolean {
  return [...sd.keys()].some((k) => /^(vit\.|dino\.)?embeddings\.position_embeddings$/.test(k));
}

/** DINO's qkv Linear stacks q, k, v along the output (row) axis. */
function concatRows(parts: NamedTensor[]): NamedTensor {
  const rows = parts.reduce((n, p) => n + p.shape[0], 0);
  const data = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, shape: [rows, ...parts[0].shape.slice(1)] };
}

function mergeQkv(src: Map<string, NamedTensor>, layer: string, kind: 'weight' | 'bias'): NamedTensor | undefined {
  const parts = ['query', 'key', 'value'].map((n) => src.get(`${layer}.attention.attention.${n}.${kind}`));
  if (parts.some((p) => !p)) return undefined;
  return concatRows(parts as NamedTensor[]);
}

/**
 * Returns a DINO-named copy of a Hugging Face ViT state dict (weights shared, q/k/v merged into
 * qkv); keys it does not know (pooler, classifier) are dropped.
 */
export function huggingFaceVitToDino(sd: StateDict): StateDict {
  const src = new Map<string, NamedTensor>();
  for (const [k, v] of sd) src.set(k.replace(/^(vit|dino)\./, ''), v);
  const out: StateDict = new Map();
  for (const [from, to] of TOP_RENAMES) {
    const t = src.get(from);
    if (t) out.set(to, t);
  }
  const layers = new Set<number>();
  for (const k of src.keys()) {
    const m = /^encoder\.layer\.(\d+)\./.exec(k);
    if (m) layers.add(Number(m[1]));
  }
  for (const i of layers) {
    const hf = `encoder.layer.${i}`;
    for (const kind of ['weight', 'bias'] as const) {
      const qkv = mergeQkv(src, hf, kind);
      if (qkv) out.set(`blocks.${i}.attn.qkv.${kind}`, qkv);
      for (const [from, to] of LAYER_RENAMES) {
        const t = src.get(`${hf}.${from}.${kind}`);
        if (t) out.set(`blocks.${i}.${to}.${kind}`, t);
      }
    }
  }
  return out;
}
