// Phase 1 of a batch run for one photo (method.md §1–§3): decode, backbone on the normalised
// square input, MaskCut + refinement at the label resolution, and the cache entry that keeps it.
import { compressRle } from '../core/coco/rle';
import { fitWithin, resizeToChw, toNormalisedNchw, type RgbaImage } from '../core/image/resize';
import { runImagePass } from '../core/pipeline/image-pass';
import type { RefineMethod } from '../core/pipeline/refine';
import type { BackboneSession } from '../runtime/backbone-session';
import { readImageFile } from '../runtime/node-image';
import { CACHE_VERSION, type CacheEntry } from './cache';

export interface ImageStageOptions {
  maxSidePx: number;
  refine: RefineMethod;
  tau: number;
  maxMasks: number;
  configFingerprint: string;
}

/** RGBA resized with the same antialiased filter as the backbone input, rounded back to bytes. */
export function resizeRgba(img: RgbaImage, outW: number, outH: number): RgbaImage {
  if (outW === img.width && outH === img.height) return img;
  const chw = resizeToChw(img, outW, outH);
  const plane = outW * outH;
  const data = new Uint8ClampedArray(plane * 4);
  for (let i = 0; i < plane; i++) {
    data[i * 4] = Math.round(chw[i]);
    data[i * 4 + 1] = Math.round(chw[plane + i]);
    data[i * 4 + 2] = Math.round(chw[2 * plane + i]);
    data[i * 4 + 3] = 255;
  }
  return { data, width: outW, height: outH };
}

/** Runs phase 1 on one photo and returns its cache entry (not yet written). Throws on a bad photo. */
export async function processImageFile(session: BackboneSession, key: string, absPath: string, opts: ImageStageOptions): Promise<CacheEntry> {
  const t0 = performance.now();
  const photo = await readImageFile(absPath);
  const t1 = performance.now();
  const { manifest } = session;
  const features = await session.run(toNormalisedNchw(photo, manifest.inputSize, manifest.mean, manifest.std));
  const t2 = performance.now();
  const [labelH, labelW] = fitWithin([photo.height, photo.width], opts.maxSidePx);
  const labelRgba = resizeRgba(photo, labelW, labelH);
  const pass = runImagePass(labelRgba.data, { height: labelH, width: labelW }, features, { tau: opts.tau, maxMasks: opts.maxMasks, refine: opts.refine });
  return {
    meta: {
      version: CACHE_VERSION,
      key,
      configFingerprint: opts.configFingerprint,
      photoSizeHW: [photo.height, photo.width],
      labelSizeHW: [labelH, labelW],
      gridH: features.gridH,
      gridW: features.gridW,
      tokenDim: features.tokenDim,
      featureDim: pass.instances[0]?.feature.length ?? features.tokenDim,
      instances: pass.instances.map((inst) => ({ rle: compressRle(inst.rle), bbox: inst.bbox, area: inst.area, score: inst.score })),
      timingsMs: { decode: t1 - t0, backbone: t2 - t1, maskcut: pass.timingsMs.maskcut, refine: pass.timingsMs.refine },
    },
    tokens: features.tokens,
    features: pass.instances.map((inst) => inst.feature),
  };
}
