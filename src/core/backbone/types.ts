// The contract every backbone meets (method.md §1): one image in, keys/tokens/cls and the grid out.
// Runtimes (onnxruntime-web in workers, onnxruntime-node in the CLI) produce it; the pipeline consumes it.

/** Features of one image, row-major over the patch grid (index = row * gridW + col). */
export interface BackboneOutput {
  /** Last block's attention keys (or a CNN feature map), [gridH * gridW, keyDim]. MaskCut uses these. */
  keys: Float32Array;
  keyDim: number;
  /** Final-norm patch tokens, [gridH * gridW, tokenDim]. Semantic clustering uses these. */
  tokens: Float32Array;
  tokenDim: number;
  /** Final-norm CLS token (or pooled map), [clsDim]. */
  cls: Float32Array;
  gridH: number;
  gridW: number;
}

export type Architecture = 'vit' | 'cnn';

/** JSON stored beside each model file (public/models/<id>.json) and in the app's model cache. */
export interface ModelManifest {
  id: string;
  name: string;
  architecture: Architecture;
  /** Fixed square input side in pixels (aspect ratio ignored, as the reference does). */
  inputSize: number;
  /** Pixels per grid cell: patch size for a ViT, feature-map stride for a CNN. */
  stride: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** Graph input name and output names for the three features. */
  inputName: string;
  outputs: { keys: string; tokens: string; cls: string };
  /** MaskCut affinity threshold τ, tuned per backbone (method.md §2). */
  tau: number;
  licence: string;
  source: string;
  /** sha256 of the .onnx file, hex. */
  sha256: string;
  /** File name of the ONNX graph, relative to the manifest. */
  file: string;
  /**
   * Average passes shifted by the network's total stride (stepPx input pixels): removes a CNN's
   * border-anchored alternating pattern (src/core/backbone/shift-average.ts); features then come
   * on a grid one cell larger each way. Absent: one pass.
   */
  shiftAverage?: { stepPx: number; pattern?: ShiftPattern; stem?: SharedStem };
}

/**
 * The layers before the shift-sensitive part of a CNN, as a graph of their own that runs once per
 * photo on the shifted passes' common canvas; `file` is then the rest (the head), which reads
 * crops of the stem's map (shift-average.ts). The stem takes `inputName` at any square size.
 */
export interface SharedStem {
  file: string;
  sha256: string;
  /** The stem's output and the head's input, [1, C, h, w]. */
  output: string;
  /** Cells of the stem's map per stepPx of input: how far apart the heads' crops are. */
  stepCells: number;
}

/** Which shifted passes: all four parities ('square', the default) or two diagonal ones (shift-average.ts). */
export type ShiftPattern = 'square' | 'diagonal';

export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

export function gridSize(m: Pick<ModelManifest, 'inputSize' | 'stride'>): { gridH: number; gridW: number } {
  const g = Math.floor(m.inputSize / m.stride);
  return { gridH: g, gridW: g };
}

/** Checks a manifest read from JSON; returns a list of problems (empty when valid). */
export function manifestProblems(value: unknown): string[] {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null) return ['manifest is not a JSON object'];
  const m = value as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof m[k] !== 'string' || m[k] === '') problems.push(`"${k}" must be a non-empty string`);
  };
  const pos = (k: string) => {
    if (typeof m[k] !== 'number' || !(Number(m[k]) > 0)) problems.push(`"${k}" must be a positive number`);
  };
  ['id', 'name', 'inputName', 'licence', 'source', 'file'].forEach(str);
  ['inputSize', 'stride', 'tau'].forEach(pos);
  if (m.architecture !== 'vit' && m.architecture !== 'cnn') problems.push('"architecture" must be "vit" or "cnn"');
  for (const k of ['mean', 'std']) {
    const a = m[k];
    if (!Array.isArray(a) || a.length !== 3 || !a.every((x) => typeof x === 'number')) {
      problems.push(`"${k}" must be three numbers`);
    }
  }
  if (m.shiftAverage !== undefined) {
    const sa = m.shiftAverage as Record<string, unknown> | null;
    if (typeof sa !== 'object' || sa === null || typeof sa.stepPx !== 'number' || !Number.isInteger(sa.stepPx) || sa.stepPx <= 0) {
      problems.push('"shiftAverage" must be {"stepPx": a positive integer}');
    } else if (sa.pattern !== undefined && sa.pattern !== 'square' && sa.pattern !== 'diagonal') {
      problems.push('"shiftAverage.pattern" must be "square" or "diagonal"');
    } else if (sa.stem !== undefined) {
      const st = sa.stem as Record<string, unknown> | null;
      const named = (k: string) => typeof st?.[k] === 'string' && st[k] !== '';
      if (!named('file') || !named('sha256') || !named('output') || typeof st?.stepCells !== 'number' || !Number.isInteger(st.stepCells) || st.stepCells <= 0) {
        problems.push('"shiftAverage.stem" must be {"file", "sha256", "output": strings, "stepCells": a positive integer}');
      }
    }
  }
  const o = m.outputs as Record<string, unknown> | undefined;
  if (!o || typeof o !== 'object' || !['keys', 'tokens', 'cls'].every((k) => typeof o[k] === 'string')) {
    problems.push('"outputs" must name keys, tokens and cls');
  }
  return problems;
}
