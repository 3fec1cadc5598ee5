// Builds a DINO ViT (timm/DINO `vision_transformer.py` layout) as an ONNX graph with the three
// outputs of method.md §1: last-block keys, final-norm patch tokens and the final-norm CLS token.
import { FloatAttr, GraphBuilder } from '../onnx/graph-builder';

export interface NamedTensor {
  data: Float32Array;
  shape: number[];
}

/** Weights keyed by DINO's state-dict names (`blocks.0.attn.qkv.weight`, `pos_embed`, ...). */
export type StateDict = Map<string, NamedTensor>;

export interface VitConfig {
  embedDim: number;
  depth: number;
  numHeads: number;
  patchSize: number;
  /** Square input side in pixels; pos_embed must already hold (inputSize/patchSize)² + 1 rows. */
  inputSize: number;
  /** DINO uses 1e-6 (not the 1e-12 of some converted configs). */
  layerNormEps: number;
}

export const VIT_OUTPUTS = { input: 'image', keys: 'keys', tokens: 'tokens', cls: 'cls' } as const;

function need(sd: StateDict, key: string, shape: number[]): string {
  const t = sd.get(key);
  if (!t) throw new Error(`state dict has no "${key}"`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`"${key}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return key;
}

/** Transposes a [rows, cols] row-major matrix: torch Linear stores W as [out, in]; MatMul wants [in, out]. */
function transpose2d(t: NamedTensor): Float32Array {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return out;
}

class VitGraph {
  readonly g = new GraphBuilder('dino_vit');
  private readonly sd: StateDict;
  private readonly cfg: VitConfig;
  private readonly tokensT: number;

  constructor(sd: StateDict, cfg: VitConfig) {
    this.sd = sd;
    this.cfg = cfg;
    const grid = cfg.inputSize / cfg.patchSize;
    if (!Number.isInteger(grid)) throw new Error(`input ${cfg.inputSize} is not a multiple of patch ${cfg.patchSize}`);
    this.tokensT = grid * grid + 1;
  }

  private w(key: string, shape: number[]): string {
    need(this.sd, key, shape);
    const t = this.sd.get(key) as NamedTensor;
    return this.g.weight(key.replace(/\./g, '_'), t.data, t.shape);
  }

  private linear(x: string, prefix: string, inDim: number, outDim: number): string {
    need(this.sd, `${prefix}.weight`, [outDim, inDim]);
    const wT = this.g.weight(`${prefix}_wT`, transpose2d(this.sd.get(`${prefix}.weight`) as NamedTensor), [inDim, outDim]);
    return this.g.op('Add', [this.g.op('MatMul', [x, wT]), this.w(`${prefix}.bias`, [outDim])]);
  }

  private layerNorm(x: string, prefix: string): string {
    const D = this.cfg.embedDim;
    return this.g.op('LayerNormalization', [x, this.w(`${prefix}.weight`, [D]), this.w(`${prefix}.bias`, [D])], {
      axis: -1,
      epsilon: new FloatAttr(this.cfg.layerNormEps),
    });
  }

  /** Exact (erf) GELU, as torch.nn.GELU's default. */
  private gelu(x: string): string {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Mul', [x, g.scalar('inv_sqrt2', Math.SQRT1_2)])]);
    return g.op('Mul', [g.op('Mul', [x, g.scalar('half', 0.5)]), g.op('Add', [erf, g.scalar('one', 1)])]);
  }

  private embed(image: string): string {
    const { embedDim: D, patchSize: p } = this.cfg;
    const g = this.g;
    const conv = g.op('Conv', [image, this.w('patch_embed.proj.weight', [D, 3, p, p]), this.w('patch_embed.proj.bias', [D])], {
      kernel_shape: [p, p],
      strides: [p, p],
    });
    const patches = g.op('Transpose', [g.op('Reshape', [conv, g.int64s('shape', [1, D, -1])])], { perm: [0, 2, 1] });
    const x = g.op('Concat', [this.w('cls_token', [1, 1, D]), patches], { axis: 1 });
    return g.op('Add', [x, this.w('pos_embed', [1, this.tokensT, D])]);
  }

  /** One pre-norm block; returns the new residual stream and this block's keys [1, T, D]. */
  private block(x: string, i: number): { x: string; keys: string } {
    const { embedDim: D, numHeads: H } = this.cfg;
    const dh = D / H;
    const g = this.g;
    const p = `blocks.${i}`;
    const qkv = this.linear(this.layerNorm(x, `${p}.norm1`), `${p}.attn.qkv`, D, 3 * D);
    // [1, T, 3, H, dh] -> [3, 1, H, T, dh]: the qkv layout of DINO's Attention.forward.
    const heads = g.op('Transpose', [g.op('Reshape', [qkv, g.int64s('shape', [1, this.tokensT, 3, H, dh])])], {
      perm: [2, 0, 3, 1, 4],
    });
    const [q, k, v] = [0, 1, 2].map((j) => g.op('Gather', [heads, g.int64s('idx', [j])], { axis: 0 }));
    const squeeze = (t: string) => g.op('Reshape', [t, g.int64s('shape', [1, H, this.tokensT, dh])]);
    const [q4, k4, v4] = [q, k, v].map(squeeze);
    const scores = g.op('Mul', [g.op('MatMul', [q4, g.op('Transpose', [k4], { perm: [0, 1, 3, 2] })]), g.scalar('scale', dh ** -0.5)]);
    const ctx = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v4]);
    const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.int64s('shape', [1, this.tokensT, D])]);
    const x1 = g.op('Add', [x, this.linear(merged, `${p}.attn.proj`, D, D)]);
    const hidden = this.gelu(this.linear(this.layerNorm(x1, `${p}.norm2`), `${p}.mlp.fc1`, D, 4 * D));
    const x2 = g.op('Add', [x1, this.linear(hidden, `${p}.mlp.fc2`, 4 * D, D)]);
    // Keys with heads concatenated per token, as CutLER's `k.transpose(1, 2).reshape(bs, T, -1)`.
    const keys = g.op('Reshape', [g.op('Transpose', [k4], { perm: [0, 2, 1, 3] }), g.int64s('shape', [1, this.tokensT, D])]);
    return { x: x2, keys };
  }

  build(): Uint8Array {
    const { embedDim: D, depth, inputSize: S } = this.cfg;
    const g = this.g;
    const N = this.tokensT - 1;
    let x = this.embed(g.input(VIT_OUTPUTS.input, [1, 3, S, S]));
    let keys = '';
    for (let i = 0; i < depth; i++) ({ x, keys } = this.block(x, i));
    const normed = this.layerNorm(x, 'norm');
    const patchRows = (t: string, name: string) =>
      g.op('Reshape', [g.op('Slice', [t, g.int64s('start', [1]), g.int64s('end', [this.tokensT]), g.int64s('axis', [1])]), g.int64s('shape', [N, D])], {}, name);
    patchRows(keys, VIT_OUTPUTS.keys);
    patchRows(normed, VIT_OUTPUTS.tokens);
    g.op('Reshape', [g.op('Gather', [normed, g.int64s('idx', [0])], { axis: 1 }), g.int64s('shape', [D])], {}, VIT_OUTPUTS.cls);
    g.output(VIT_OUTPUTS.keys, [N, D]);
    g.output(VIT_OUTPUTS.tokens, [N, D]);
    g.output(VIT_OUTPUTS.cls, [D]);
    return g.toBytes({ producer: 'u2seg-web vit-onnx', metadata: { architecture: 'vit', patch: String(this.cfg.patchSize) } });
  }
}

/** Serialises a ViT with the given weights into ONNX bytes; throws naming any missing or misshapen weight. */
export function buildVitOnnx(sd: StateDict, cfg: VitConfig): Uint8Array {
  if (cfg.embedDim % cfg.numHeads !== 0) throw new Error(`embedDim ${cfg.embedDim} is not divisible by ${cfg.numHeads} heads`);
  return new VitGraph(sd, cfg).build();
}
