// The one validation path for everything a user drops: classify a file by its leading bytes
// (never by its extension alone) and say plainly what it is when it is not what we can use.

export type InputKind =
  | { kind: 'image'; format: 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif' }
  | { kind: 'onnx' }
  | { kind: 'pth' }
  | { kind: 'safetensors' }
  | { kind: 'json' }
  | { kind: 'unknown'; reason: string };

/** Accepted formats, for messages and the file picker's `accept`. */
export const IMAGE_FORMATS = ['JPEG', 'PNG', 'WebP', 'GIF', 'BMP', 'AVIF'] as const;

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** Classifies from the first 64 bytes (or fewer) of a file, plus its name for the model formats. */
export function sniff(head: Uint8Array, fileName: string): InputKind {
  const lower = fileName.toLowerCase();
  if (head.length === 0) return { kind: 'unknown', reason: 'the file is empty' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'image', format: 'png' };
  if (ascii(head, 0, 4) === 'GIF8') return { kind: 'image', format: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return { kind: 'image', format: 'bmp' };
  if (ascii(head, 4, 8) === 'ftyp' && /avi[fs]/.test(ascii(head, 8, 12))) return { kind: 'image', format: 'avif' };
  // torch.save writes a zip; .pth by name disambiguates it from an unrelated zip.
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) && /\.(pth|pt|ckpt)$/.test(lower)) return { kind: 'pth' };
  if (lower.endsWith('.safetensors')) return { kind: 'safetensors' };
  if (lower.endsWith('.onnx')) return { kind: 'onnx' };
  const firstChar = ascii(head, 0, Math.min(head.length, 16)).trimStart()[0];
  if (lower.endsWith('.json') || firstChar === '{') return { kind: 'json' };
  if (/\.(jpe?g|png|gif|webp|bmp|avif)$/.test(lower)) {
    return { kind: 'unknown', reason: `its name says image but its content is not a ${IMAGE_FORMATS.join('/')} image (corrupt or renamed?)` };
  }
  return { kind: 'unknown', reason: `it is not an image (${IMAGE_FORMATS.join(', ')}), a model (.onnx, .pth, .safetensors) or a COCO .json file` };
}
