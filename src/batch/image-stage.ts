// Phase 1 of a batch run for one photo (method.md §1–§3): decode, backbone on the normalised
// square input, MaskCut + refinement at the label resolution, instance features, and the cache entry.
import { embedPhoto } from '../core/backbone/shift-average';
import { compressRle, decodeMask } from '../core/coco/rle';
import { fitWithin, resizeToChw, toNormalisedNchw, type RgbaImage } from '../core/image/resize';
import { runImagePass, type ProposalMode, type PseudoInstance } from '../core/pipeline/image-pass';
import { embedViews, proposalViews } from '../core/pipeline/instance-proposals';
import { maskedInstanceCrop } from '../core/pipeline/instance-features';
import type { RefineMethod } from '../core/pipeline/refine';
import type { BackboneSession } from '../runtime/backbone-session';
import { readImageFile } from '../runtime/node-image';
import { CACHE_VERSION, DEFAULT_INSTANCE_FEATURE, type CacheEntry, type InstanceFeatureKind } from './cache';

export interface ImageStageOptions {
  maxSidePx: number;
  refine: RefineMethod;
  tau: number;
  maxMasks: number;
  /** Default 'reference' (CutLER's MaskCut on the whole photo). */
  proposals?: ProposalMode;
  /** Default 'mean-tokens' (the pass's own feature). */
  instanceFeature?: InstanceFeatureKind;
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

/**
 * The backbone input for one instance's CLS feature (method.md §3): the masked crop of the label-size
 * image (maskedInstanceCrop's defaults: box crop, black fill, short side 480, centre crop), then
 * resized to the model's square input and normalised like a photo.
 */
export function instanceCropInput(session: BackboneSession, labelRgba: RgbaImage, maskRowMajor: Uint8Array): Float32Array {
  const crop = maskedInstanceCrop(labelRgba.data, { height: labelRgba.height, width: labelRgba.width }, maskRowMajor);
  if (!crop) throw new Error('an instance has an empty mask');
  const { manifest } = session;
  return toNormalisedNchw({ data: crop.rgba, width: crop.width, height: crop.height }, manifest.inputSize, manifest.mean, manifest.std);
}

/** The backbone's CLS of each instance's masked crop, one backbone run per instance, in order. */
export async function clsCropFeatures(session: BackboneSession, labelRgba: RgbaImage, instances: readonly PseudoInstance[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const inst of instances) {
    const result = await session.run(instanceCropInput(session, labelRgba, decodeMask(inst.rle)));
    out.push(Float32Array.from(result.cls));
  }
  return out;
}

/** Runs phase 1 on one photo and returns its cache entry (not yet written). Throws on a bad photo. */
export async function processImageFile(session: BackboneSession, key: string, absPath: string, opts: ImageStageOptions): Promise<CacheEntry> {
  const t0 = performance.now();
  const photo = await readImageFile(absPath);
  const t1 = performance.now();
  const { manifest } = session;
  const proposals = opts.proposals ?? 'reference';
  // 'multi' embeds the crops too; the whole photo's features are its first view's.
  const views = proposals === 'multi' ? await embedViews(photo, manifest, session, proposalViews()) : undefined;
  const features = views ? views[0].features : await embedPhoto(photo, manifest, session);
  const t2 = performance.now();
  const [labelH, labelW] = fitWithin([photo.height, photo.width], opts.maxSidePx);
  const labelRgba = resizeRgba(photo, labelW, labelH);
  const pass = runImagePass(labelRgba.data, { height: labelH, width: labelW }, features, { tau: opts.tau, maxMasks: opts.maxMasks, refine: opts.refine, proposals }, views);
  const t3 = performance.now();
  const useCls = (opts.instanceFeature ?? DEFAULT_INSTANCE_FEATURE) === 'cls-crop';
  const instanceFeatures = useCls ? await clsCropFeatures(session, labelRgba, pass.instances) : pass.instances.map((inst) => inst.feature);
  const timingsMs = { decode: t1 - t0, backbone: t2 - t1, maskcut: pass.timingsMs.maskcut, refine: pass.timingsMs.refine };
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
      featureDim: instanceFeatures[0]?.length ?? (useCls ? features.cls.length : features.tokenDim),
      instances: pass.instances.map((inst) => ({ rle: compressRle(inst.rle), bbox: inst.bbox, area: inst.area, score: inst.score, ...(inst.wholeIndex !== undefined ? { wholeIndex: inst.wholeIndex } : {}) })),
      timingsMs: useCls ? { ...timingsMs, instanceFeature: performance.now() - t3 } : timingsMs,
    },
    tokens: features.tokens,
    features: instanceFeatures,
  };
}
