// The three pipeline passes chained on synthetic photos with known objects: MaskCut finds the
// object, clustering groups same-looking objects across images, the panoptic map is consistent.
import { describe, expect, it } from 'vitest';
import type { BackboneOutput } from '../../../src/core/backbone/types';
import { decodeMask, encodeMask, rleArea, rleToBbox } from '../../../src/core/coco/rle';
import { labelImage } from '../../../src/core/pipeline/image-labels';
import { runImagePass, type ImagePass, type ProposalMode } from '../../../src/core/pipeline/image-pass';
import { fitSessionClusters } from '../../../src/core/pipeline/session-clusters';
import { mulberry32, gaussian } from '../../../src/core/random';

const GRID = 16, PX = 8, DIM = 12;

/** A photo with one square object of a given "kind" (feature direction and colour) on background. */
function synthetic(kind: 0 | 1, box: [number, number, number, number], seed: number) {
  const noise = gaussian(mulberry32(seed));
  const size = GRID * PX;
  const rgba = new Uint8ClampedArray(size * size * 4);
  const feats = new Float32Array(GRID * GRID * DIM);
  const [r0, c0, r1, c1] = box;
  const inside = (r: number, c: number) => r >= r0 && r < r1 && c >= c0 && c < c1;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const dir = inside(r, c) ? 1 + kind : 5;
      for (let d = 0; d < DIM; d++) feats[(r * GRID + c) * DIM + d] = (d === dir ? 3 : 0) + 0.15 * noise();
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const obj = inside(Math.floor(y / PX), Math.floor(x / PX));
      rgba.set(obj ? (kind ? [220, 40, 40, 255] : [40, 40, 220, 255]) : [120, 160, 90, 255], (y * size + x) * 4);
    }
  }
  const features: BackboneOutput = { keys: feats, keyDim: DIM, tokens: feats, tokenDim: DIM, cls: new Float32Array(DIM), gridH: GRID, gridW: GRID };
  return { rgba, features, sizeHW: { height: size, width: size } };
}

describe('image pass → session clusters → image labels', () => {
  const photos = [
    synthetic(0, [3, 3, 9, 9], 1),
    synthetic(0, [6, 8, 12, 14], 2),
    synthetic(1, [2, 6, 7, 12], 3),
    synthetic(1, [8, 2, 14, 8], 4),
  ];
  const passes = photos.map((p) => runImagePass(p.rgba, p.sizeHW, p.features, { refine: 'none', maxMasks: 1, tau: 0.5 }));

  it('finds each photo\'s object as its first mask', () => {
    passes.forEach((pass, i) => {
      expect(pass.instances.length).toBe(1);
      const [x, y, w, h] = pass.instances[0].bbox;
      const box = [[3, 3, 9, 9], [6, 8, 12, 14], [2, 6, 7, 12], [8, 2, 14, 8]][i];
      expect([y / PX, x / PX, (y + h) / PX, (x + w) / PX].map(Math.round)).toEqual(box);
    });
  });

  it('puts same-kind objects in the same thing cluster and different kinds apart', () => {
    const feats = passes.flatMap((p) => p.instances.map((i) => i.feature));
    const clusters = fitSessionClusters(feats, photos.map((p) => p.features.tokens), DIM, { thingK: 2, stuffK: 3 });
    const c = Array.from(clusters.instanceClusters);
    expect(c[0]).toBe(c[1]);
    expect(c[2]).toBe(c[3]);
    expect(c[0]).not.toBe(c[2]);
  });

  it('produces a panoptic map whose segments match their pixels', () => {
    const feats = passes.flatMap((p) => p.instances.map((i) => i.feature));
    const clusters = fitSessionClusters(feats, photos.map((p) => p.features.tokens), DIM, { thingK: 2, stuffK: 3 });
    const labels = labelImage(passes[0], { ...photos[0].features }, clusters);
    const { idsRowMajor, segments } = labels.panoptic;
    for (const seg of segments) {
      const area = idsRowMajor.reduce((n, id) => n + (id === seg.id ? 1 : 0), 0);
      expect(area).toBe(seg.area);
      expect(seg.categoryId).toBeGreaterThanOrEqual(1);
      expect(seg.categoryId).toBeLessThanOrEqual(clusters.thingK + clusters.stuffK);
    }
    const thing = segments.find((s) => s.isThing);
    expect(thing?.categoryId).toBe(labels.instanceClusters[0] + 1);
    const mask = decodeMask(passes[0].instances[0].rle);
    expect(idsRowMajor.every((id, i) => (id === thing?.id) === (mask[i] === 1))).toBe(true);
    expect(labels.semanticRowMajor.length).toBe(photos[0].sizeHW.height * photos[0].sizeHW.width);
  });
});

describe('the panoptic map of overlapping wholes and parts', () => {
  const photo = synthetic(0, [3, 3, 11, 11], 7);
  const { height, width } = photo.sizeHW;
  const box = (r0: number, c0: number, r1: number, c1: number) => {
    const m = new Uint8Array(height * width);
    for (let y = r0 * PX; y < r1 * PX; y++) for (let x = c0 * PX; x < c1 * PX; x++) m[y * width + x] = 1;
    return m;
  };
  const whole = box(3, 3, 11, 11), part = box(3, 3, 7, 11);
  const instance = (mask: Uint8Array, score: number) => {
    const rle = encodeMask(mask, height, width);
    return { rle, bbox: rleToBbox(rle), area: rleArea(rle), score, feature: new Float32Array(DIM).fill(1) };
  };
  const pass = (proposals: ProposalMode): ImagePass => ({ labelSizeHW: photo.sizeHW, proposals, instances: [instance(whole, 0.9), instance(part, 0.6)], timingsMs: { maskcut: 0, refine: 0 } });
  const clusters = fitSessionClusters([new Float32Array(DIM).fill(1), new Float32Array(DIM).fill(1)], [photo.features.tokens], DIM, { thingK: 1, stuffK: 2 });
  const thingPixels = (p: ImagePass) => {
    const { idsRowMajor, segments } = labelImage(p, photo.features, clusters).panoptic;
    return segments.filter((s) => s.isThing).map((s) => ({ instance: s.instanceIndex, area: idsRowMajor.reduce((n, id) => n + (id === s.id ? 1 : 0), 0) }));
  };

  it("paints every mask for MaskCut's passes, as U2Seg's merge does: the part cuts its whole", () => {
    expect(thingPixels(pass('reference'))).toEqual([{ instance: 0, area: 32 * PX * PX }, { instance: 1, area: 32 * PX * PX }]);
  });

  it("keeps the better-scored whole and drops its part for the multi-view stage's passes", () => {
    expect(thingPixels(pass('multi'))).toEqual([{ instance: 0, area: 64 * PX * PX }]);
  });
});

