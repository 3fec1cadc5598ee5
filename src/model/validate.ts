// Checks that an ONNX file can serve as this app's backbone (method.md §1): one float image input
// [1, 3, S, S] and outputs keys [N, C], tokens [N, C], cls [C] over a square patch grid.
import { inspectOnnx, type OnnxSignature, type TensorSignature } from './onnx/inspect';

const FLOAT = 1;

export interface BackboneNames {
  keys: string;
  tokens: string;
  cls: string;
}

export const DEFAULT_BACKBONE_NAMES: BackboneNames = { keys: 'keys', tokens: 'tokens', cls: 'cls' };

export interface BackboneSignature {
  inputName: string;
  /** Square input side in pixels. */
  inputSize: number;
  /** Side of the patch grid: N = grid². */
  grid: number;
  keyDim: number;
  tokenDim: number;
  clsDim: number;
}

export interface BackboneCheck {
  /** Empty when the model is usable. */
  problems: string[];
  /** Present when inputs and outputs could be read and are consistent. */
  signature?: BackboneSignature;
  onnx?: OnnxSignature;
}

function shapeText(dims: TensorSignature['dims']): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

function fixed(dims: TensorSignature['dims']): dims is number[] {
  return dims.every((d) => typeof d === 'number' && d > 0);
}

function checkInput(sig: OnnxSignature, problems: string[]): { name: string; size: number } | undefined {
  if (sig.inputs.length !== 1) {
    problems.push(`the model has ${sig.inputs.length} inputs (${sig.inputs.map((i) => `'${i.name}'`).join(', ')}); expected one image input`);
    return undefined;
  }
  const input = sig.inputs[0];
  if (input.elemType !== FLOAT) problems.push(`input '${input.name}' has element type ${input.elemType}; expected float32 (1)`);
  const [b, c, h, w] = input.dims;
  const batchOk = b === 1 || typeof b === 'string';
  if (input.dims.length !== 4 || !batchOk || c !== 3 || typeof h !== 'number' || h <= 0 || h !== w) {
    problems.push(`input '${input.name}' has shape ${shapeText(input.dims)}; expected [1, 3, S, S] with a fixed S`);
    return undefined;
  }
  return { name: input.name, size: h };
}

/** Reads one output and checks its rank and element type; returns its fixed dims. */
function outputDims(sig: OnnxSignature, name: string, rank: 1 | 2, problems: string[]): number[] | undefined {
  const out = sig.outputs.find((o) => o.name === name);
  const expected = rank === 2 ? '[N, C]' : '[C]';
  if (!out) {
    const have = sig.outputs.map((o) => `'${o.name}'`).join(', ') || 'none';
    problems.push(`the model has no output '${name}' (outputs: ${have})`);
    return undefined;
  }
  if (out.elemType !== FLOAT) problems.push(`output '${name}' has element type ${out.elemType}; expected float32 (1)`);
  if (out.dims.length !== rank || !fixed(out.dims)) {
    problems.push(`output '${name}' has shape ${shapeText(out.dims)}; expected ${expected}${out.dims.length === rank ? ' with fixed sizes' : ''}`);
    return undefined;
  }
  return out.dims;
}

function checkOutputs(sig: OnnxSignature, names: BackboneNames, problems: string[]): Omit<BackboneSignature, 'inputName' | 'inputSize'> | undefined {
  const keys = outputDims(sig, names.keys, 2, problems);
  const tokens = outputDims(sig, names.tokens, 2, problems);
  const cls = outputDims(sig, names.cls, 1, problems);
  if (!keys || !tokens || !cls) return undefined;
  const before = problems.length;
  const grid = Math.round(Math.sqrt(keys[0]));
  if (grid * grid !== keys[0]) problems.push(`output '${names.keys}' has N = ${keys[0]} rows, not a square grid`);
  if (tokens[0] !== keys[0]) problems.push(`outputs '${names.keys}' and '${names.tokens}' have ${keys[0]} and ${tokens[0]} rows; expected the same N`);
  if (cls[0] !== tokens[1]) problems.push(`output '${names.cls}' has ${cls[0]} values but '${names.tokens}' has C = ${tokens[1]}; expected equal`);
  if (problems.length > before) return undefined;
  return { grid, keyDim: keys[1], tokenDim: tokens[1], clsDim: cls[0] };
}

/** A head that reads a shared stem's map (types.ts SharedStem): one float input [1, C, h, w] of that name. */
function checkStemInput(sig: OnnxSignature, stemOutput: string, problems: string[]): void {
  const input = sig.inputs.length === 1 ? sig.inputs[0] : undefined;
  if (!input || input.name !== stemOutput || input.dims.length !== 4 || !fixed(input.dims) || input.elemType !== FLOAT) {
    problems.push(`the head should read one float input '${stemOutput}' [1, C, h, w]; it has ${sig.inputs.map((i) => `'${i.name}' ${shapeText(i.dims)}`).join(', ') || 'none'}`);
  }
}

/**
 * Lists everything that keeps `bytes` from being a backbone; never throws. With `head`, the bytes
 * are the head of a model with a shared stem: its input is the stem's map, its size the manifest's.
 */
export function checkBackboneOnnx(bytes: Uint8Array, names: BackboneNames = DEFAULT_BACKBONE_NAMES, head?: { stemOutput: string; inputName: string; inputSize: number }): BackboneCheck {
  let onnx: OnnxSignature;
  try {
    onnx = inspectOnnx(bytes);
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  const problems: string[] = [];
  if (head) checkStemInput(onnx, head.stemOutput, problems);
  const input = head ? { name: head.inputName, size: head.inputSize } : checkInput(onnx, problems);
  const outputs = checkOutputs(onnx, names, problems);
  if (input && outputs && outputs.grid > input.size) {
    problems.push(`the ${outputs.grid}×${outputs.grid} grid is finer than the ${input.size} px input`);
  }
  if (!input || !outputs || problems.length) return { problems, onnx };
  return { problems, onnx, signature: { inputName: input.name, inputSize: input.size, ...outputs } };
}

/** Returns the backbone signature or throws one Error listing every problem. */
export function assertBackboneOnnx(bytes: Uint8Array, names: BackboneNames = DEFAULT_BACKBONE_NAMES): BackboneSignature {
  const check = checkBackboneOnnx(bytes, names);
  if (!check.signature) throw new Error(`not a usable backbone: ${check.problems.join('; ')}`);
  return check.signature;
}
