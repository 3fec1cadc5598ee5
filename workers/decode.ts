// Decodes a photo inside a worker (createImageBitmap + OffscreenCanvas), downscaling huge photos
// for features while reporting their original size, and turning decoder failures into plain words.
import { fitWithin, type RgbaImage } from '../src/core/image/resize';
import { imageSizeFromHeader, pixelBudgetProblem } from '../src/core/input/image-header';

/** Enough of a file for its header, JPEG metadata segments included. */
const HEADER_BYTES = 256 * 1024;

/** Features never need more than this; an 8000×6000 photo is decoded once and shrunk. */
export const MAX_FEATURE_SIDE = 2048;

export interface DecodedPhoto {
  rgba: RgbaImage;
  sizeHW: [number, number];
}

export async function decodePhoto(file: Blob, name: string, maxSide = MAX_FEATURE_SIDE): Promise<DecodedPhoto> {
  // A file that declares a canvas over the budget is refused by its size, before the browser tries.
  const declared = imageSizeFromHeader(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
  const problem = declared && pixelBudgetProblem(declared);
  if (problem) throw new Error(`${name} was not opened: ${problem}`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${name} could not be decoded: the file is corrupt or truncated, or not an image this browser reads`);
  }
  const sizeHW: [number, number] = [bitmap.height, bitmap.width];
  const [h, w] = fitWithin(sizeHW, maxSide);
  if (h !== bitmap.height || w !== bitmap.width) {
    const small = await createImageBitmap(bitmap, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
    bitmap.close();
    bitmap = small;
  }
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser gives workers no 2D canvas (OffscreenCanvas)');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, w, h).data;
  return { rgba: { data, width: w, height: h }, sizeHW };
}
