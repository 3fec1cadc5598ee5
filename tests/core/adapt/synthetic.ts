// Synthetic token sets for the adaptation-head tests (method.md §6): seeded Gaussian clusters, one per class.
import { gaussian, mulberry32 } from '../../../src/core/random';
import type { TrainingImage } from '../../../src/core/adapt/train';

/**
 * `images` images of `patches` tokens; patch p of image i has class (i + p) % classes: its class's
 * mean (fixed by meanSeed) plus Gaussian noise (drawn from noiseSeed), so held-out sets share the means.
 */
export function separableImages(images: number, patches: number, dim: number, classes: number, meanSeed = 1, noiseSeed = 2, noise = 0.3): TrainingImage[] {
  const meanNormal = gaussian(mulberry32(meanSeed));
  const means = Array.from({ length: classes }, () => Float32Array.from({ length: dim }, () => meanNormal()));
  const normal = gaussian(mulberry32(noiseSeed));
  return Array.from({ length: images }, (_, i) => {
    const tokensRowMajor = new Float32Array(patches * dim);
    const targets = new Uint8Array(patches);
    for (let p = 0; p < patches; p++) {
      const c = (i + p) % classes;
      targets[p] = c;
      for (let d = 0; d < dim; d++) tokensRowMajor[p * dim + d] = means[c][d] + noise * normal();
    }
    return { tokensRowMajor, targets };
  });
}
