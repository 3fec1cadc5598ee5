// Reads backbone weights from any supported file by looking at its bytes, not its name, so a
// dropped or downloaded checkpoint (method.md §1) goes to the right reader.
import type { StateDict } from '../vit/vit-onnx';
import { readPth } from './pth-reader';
import { readSafetensors } from './safetensors-reader';

export type CheckpointFormat = 'pth' | 'safetensors' | 'unknown';

/** safetensors opens with a u64 header length followed by the JSON header's '{'. */
export function sniffCheckpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pth';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) return 'pth';
  if (bytes.length >= 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  return 'unknown';
}

/** Returns the float32 state dict; `name` only improves the error message. */
export function readCheckpoint(bytes: Uint8Array, name = 'the file'): StateDict {
  const format = sniffCheckpointFormat(bytes);
  if (format === 'pth') return readPth(bytes);
  if (format === 'safetensors') return readSafetensors(bytes);
  // Let the reader the name suggests explain what is wrong in its own terms.
  if (/\.safetensors$/i.test(name)) return readSafetensors(bytes);
  if (/\.(pth|pt|ckpt|bin)$/i.test(name)) return readPth(bytes);
  throw new Error(`${name} is neither a PyTorch checkpoint (.pth) nor a safetensors file`);
}
