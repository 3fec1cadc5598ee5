// Inputs for the dense CRF parity tests and the crf benchmark (method.md §2 step 7, §4):
// generated photos (shapes over a gradient, with noise), MaskCut-like blocky masks, smooth
// multi-label probability maps, and coco-dev photos at the pipeline's label size.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { resizeRgba } from '../../src/batch/image-stage';
import { fitWithin } from '../../src/core/image/resize';
import { gaussian, mulberry32 } from '../../src/core/random';
import { readImageFile } from '../../src/runtime/node-image';

export interface CrfPhoto {
  name: string;
  width: number;
  height: number;
  rgba: Uint8Array;
  /** MaskCut-like 0/1 masks, row-major. */
  masks: Uint8Array[];
}

/**
 * A photo of three shapes (ellipse, box, diagonal band) in distinct colours over a gradient from near black,
 * with seeded noise, and blocky masks of the shapes as MaskCut's grid (cell `cell` px) upsampled
 * and shifted by a cell's fraction would give them.
 */
export function generatedPhoto(width: number, height: number, seed: number, cell = Math.max(4, Math.round(Math.max(width, height) / 20))): CrfPhoto {
  const rng = mulberry32(seed), normal = gaussian(rng);
  const shapes: ((x: number, y: number) => boolean)[] = [
    (x, y) => ((x - 0.3 * width) / (0.2 * width)) ** 2 + ((y - 0.4 * height) / (0.25 * height)) ** 2 < 1,
    (x, y) => x > 0.55 * width && x < 0.9 * width && y > 0.5 * height && y < 0.85 * height,
    (x, y) => Math.abs(x - y * (width / height) - 0.1 * width) < 0.06 * width && y > 0.6 * height,
  ];
  const colours = [[200, 60, 50], [40, 170, 90], [230, 220, 40]].map((c) => c.map((v) => v + Math.round((rng() - 0.5) * 40)));
  const rgba = new Uint8Array(width * height * 4);
  const owner = new Int8Array(width * height).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      // Near black at the top-left corner: with the pixel count not a multiple of 4, the
      // reference's padding points (all-zero features) then add lattice vertices next to real ones.
      let c = [12 + (150 * y) / height, 12 + (100 * (x + y)) / (width + height), 12 + (160 * x) / width];
      shapes.forEach((inside, s) => {
        if (inside(x, y)) {
          owner[i] = s;
          c = colours[s];
        }
      });
      for (let ch = 0; ch < 3; ch++) rgba[4 * i + ch] = Math.max(0, Math.min(255, Math.round(c[ch] + 9 * normal())));
      rgba[4 * i + 3] = 255;
    }
  }
  const masks = shapes.map((_, s) => blockyMask(width, height, cell, Math.floor(rng() * 3) - 1, Math.floor(rng() * 3) - 1, (x, y) => owner[y * width + x] === s));
  return { name: `generated ${width}×${height} #${seed}`, width, height, rgba, masks };
}

/** The cells (of `cell` px, grid shifted by (dx, dy) px) more than half inside, upsampled. */
export function blockyMask(width: number, height: number, cell: number, dx: number, dy: number, inside: (x: number, y: number) => boolean): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (let gy = -cell; gy < height; gy += cell) {
    for (let gx = -cell; gx < width; gx += cell) {
      let hit = 0, total = 0;
      for (let y = Math.max(0, gy + dy); y < Math.min(height, gy + dy + cell); y++) {
        for (let x = Math.max(0, gx + dx); x < Math.min(width, gx + dx + cell); x++) {
          total++;
          if (inside(x, y)) hit++;
        }
      }
      if (!total || hit * 2 <= total) continue;
      for (let y = Math.max(0, gy + dy); y < Math.min(height, gy + dy + cell); y++) {
        for (let x = Math.max(0, gx + dx); x < Math.min(width, gx + dx + cell); x++) mask[y * width + x] = 1;
      }
    }
  }
  return mask;
}

/**
 * Pixel-major [pixels, k] probabilities: the softmax of smooth random logits (bilinear from a
 * coarse grid, like STEGO's upsampled scores) scaled by `sharpness`; sharp ones go below 1e-5.
 */
export function smoothProbs(width: number, height: number, k: number, seed: number, sharpness = 6): Float32Array {
  const rng = mulberry32(seed), normal = gaussian(rng);
  const gw = 6, gh = 5;
  const grid = Float64Array.from({ length: gw * gh * k }, () => sharpness * normal());
  const probs = new Float32Array(width * height * k);
  const logits = new Float64Array(k);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fx = (x / Math.max(1, width - 1)) * (gw - 1), fy = (y / Math.max(1, height - 1)) * (gh - 1);
      const x0 = Math.min(gw - 2, Math.floor(fx)), y0 = Math.min(gh - 2, Math.floor(fy));
      const ax = fx - x0, ay = fy - y0;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        const at = (gx: number, gy: number) => grid[(gy * gw + gx) * k + c];
        logits[c] = (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) + ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
        max = Math.max(max, logits[c]);
      }
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[c] - max);
      const i = y * width + x;
      for (let c = 0; c < k; c++) probs[i * k + c] = Math.exp(logits[c] - max) / sum;
    }
  }
  return probs;
}

/** [pixels, k] → [k, pixels] (the reference's layout). */
export function toLabelMajor(probsPixelMajor: Float32Array, numPixels: number, k: number): Float32Array {
  const out = new Float32Array(numPixels * k);
  for (let i = 0; i < numPixels; i++) for (let c = 0; c < k; c++) out[c * numPixels + i] = probsPixelMajor[i * k + c];
  return out;
}

/**
 * coco-dev photos at the pipeline's label size (fitted within `maxSide`), with two MaskCut-like
 * masks each: a centred box and the blob of cells close in colour to the centre cell, on a 20-cell grid.
 */
export async function cocoDevPhotos(imagesDir: string, count: number, maxSide = 640, skip = 0): Promise<CrfPhoto[]> {
  const files = readdirSync(imagesDir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(skip, skip + count);
  const out: CrfPhoto[] = [];
  for (const f of files) {
    const photo = await readImageFile(path.join(imagesDir, f));
    const [h, w] = fitWithin([photo.height, photo.width], maxSide);
    const { data } = resizeRgba(photo, w, h);
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const cell = Math.ceil(Math.max(w, h) / 20);
    const box = blockyMask(w, h, cell, 0, 0, (x, y) => x > 0.3 * w && x < 0.7 * w && y > 0.25 * h && y < 0.75 * h);
    const centre = ((h >> 1) * w + (w >> 1)) * 4;
    const near = (x: number, y: number) => {
      const i = (y * w + x) * 4;
      return Math.abs(rgba[i] - rgba[centre]) + Math.abs(rgba[i + 1] - rgba[centre + 1]) + Math.abs(rgba[i + 2] - rgba[centre + 2]) < 90;
    };
    out.push({ name: f, width: w, height: h, rgba, masks: [box, blockyMask(w, h, cell, 0, 0, near)] });
  }
  return out;
}



