// Semantic label maps ↔ single-channel PNG (pixel = category id, 0 = void), 8-bit or 16-bit.
// coco-formats.md §Semantic PNG: more than 255 classes (U2Seg's 300/800 clusters) need 16 bits.
import { decode as decodePng, encode as encodePng } from 'fast-png';

export interface LabelMap {
  /** Row-major category ids; Uint16Array when decoded from a 16-bit PNG. */
  labelsRowMajor: Uint8Array | Uint16Array;
  height: number;
  width: number;
}

/**
 * Label map → greyscale PNG. 16-bit when `classCount` exceeds 255 or any label does, so that all files of
 * one run share a bit depth when the caller passes the run's class count.
 */
export function labelMapToPng(labelMap: LabelMap, classCount?: number): Uint8Array {
  const { labelsRowMajor, height, width } = labelMap;
  if (labelsRowMajor.length !== height * width) {
    throw new Error(`label map has ${labelsRowMajor.length} values, expected ${height}×${width} = ${height * width}`);
  }
  let maxLabel = 0;
  for (const label of labelsRowMajor) if (label > maxLabel) maxLabel = label;
  const sixteenBit = maxLabel > 255 || (classCount ?? 0) > 255;
  const data = sixteenBit ? Uint16Array.from(labelsRowMajor) : Uint8Array.from(labelsRowMajor);
  return encodePng({ width, height, data, depth: sixteenBit ? 16 : 8, channels: 1 });
}

/**
 * Greyscale (or palette-index) PNG → label map. A palette PNG yields its indices, which is how label
 * PNGs saved with a colour palette store their ids. Colour PNGs are refused: they are not label maps.
 */
export function pngToLabelMap(png: Uint8Array): LabelMap & { bitDepth: 8 | 16 } {
  const decoded = decodePng(png);
  const { width, height, channels, depth } = decoded;
  if (channels > 2) throw new Error(`semantic PNG must be single-channel, got ${channels} channels`);
  const pixelCount = width * height;
  if (depth < 8) {
    return { labelsRowMajor: unpackLowBitDepth(decoded.data, width, height, depth), height, width, bitDepth: 8 };
  }
  const labelsRowMajor = depth === 16 ? new Uint16Array(pixelCount) : new Uint8Array(pixelCount);
  const data = decoded.data;
  // A grey+alpha PNG interleaves alpha; keep the grey channel only.
  for (let p = 0; p < pixelCount; p++) labelsRowMajor[p] = data[p * channels];
  return { labelsRowMajor, height, width, bitDepth: depth === 16 ? 16 : 8 };
}

/** fast-png leaves 1/2/4-bit rows packed (most significant bits first, rows padded to a byte). */
function unpackLowBitDepth(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  const labelsRowMajor = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = packed[y * rowBytes + (bit >> 3)];
      labelsRowMajor[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return labelsRowMajor;
}
