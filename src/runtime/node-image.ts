// Decodes photos in Node for the command line (browsers decode natively in the workers):
// JPEG with jpeg-js, PNG with fast-png, both to the RGBA layout the core expects.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import type { RgbaImage } from '../core/image/resize';
import { imageSizeFromHeader, MAX_PHOTO_PIXELS, pixelBudgetProblem } from '../core/input/image-header';
import { sniff } from '../core/input/sniff';


function pngToRgba(bytes: Uint8Array): RgbaImage {
  const png = decodePng(bytes);
  const { width, height, channels } = png;
  const src = png.data;
  const shift = png.depth === 16 ? 8 : 0;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const px = (k: number) => Number(src[i * channels + k]) >> shift;
    const grey = channels <= 2;
    out[i * 4] = px(0);
    out[i * 4 + 1] = grey ? px(0) : px(1);
    out[i * 4 + 2] = grey ? px(0) : px(2);
    out[i * 4 + 3] = channels === 2 ? px(1) : channels === 4 ? px(3) : 255;
  }
  return { data: out, width, height };
}

export async function readImageFile(file: string): Promise<RgbaImage> {
  const bytes = new Uint8Array(await readFile(file));
  const kind = sniff(bytes.subarray(0, 64), path.basename(file));
  if (kind.kind !== 'image') throw new Error(`${file}: ${kind.kind === 'unknown' ? kind.reason : `is a ${kind.kind} file, not an image`}`);
  // Refused from the header, before a decoder allocates (and inflates) the canvas the file declares.
  const size = imageSizeFromHeader(bytes);
  const problem = size && pixelBudgetProblem(size);
  if (problem) throw new Error(`${file} was not decoded: ${problem}`);
  try {
    if (kind.format === 'jpeg') {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PHOTO_PIXELS / 1e6, maxMemoryUsageInMB: 2048 });
      return { data: new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength), width: img.width, height: img.height };
    }
    if (kind.format === 'png') return pngToRgba(bytes);
  } catch (err) {
    throw new Error(`${file} could not be decoded: ${(err as Error).message}`, { cause: err });
  }
  throw new Error(`${file}: ${kind.format.toUpperCase()} is not supported on the command line (JPEG and PNG are)`);
}
