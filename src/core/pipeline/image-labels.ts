// The second per-image pass (method.md §4, §5): with the session's clusters fixed, give each
// instance its thing cluster, each pixel its semantic cluster, and merge both into panoptic labels.
import { decodeMask } from '../coco/rle';
import type { ImagePass } from './image-pass';
import { assignToCentroids } from './kmeans';
import { mergePanopticPseudoLabels, panopticMasks, type PanopticResult, type ThingInstance } from './panoptic-merge';
import { semanticLabelsForImage } from './semantic';
import { semanticRows, type SessionClusters } from './session-clusters';

export interface ImageTokens {
  tokens: Float32Array;
  gridH: number;
  gridW: number;
  tokenDim: number;
}

export interface ImageLabels {
  /** Stuff cluster (0-based) of each pixel at the label resolution, row-major. */
  semanticRowMajor: Uint16Array;
  /** Thing cluster (0-based) of each of the pass's instances, in pass order. */
  instanceClusters: number[];
  /** Things are categories 1..thingK, stuff thingK+1..thingK+stuffK (method.md §5). */
  panoptic: PanopticResult;
}

/** Thing clusters for instances not seen when the clusters were fitted (new photos). */
export function assignInstances(pass: ImagePass, clusters: SessionClusters): number[] {
  if (!pass.instances.length || clusters.thingK === 0) return pass.instances.map(() => 0);
  const dim = clusters.featureDim;
  const flat = new Float32Array(pass.instances.length * dim);
  pass.instances.forEach((inst, i) => flat.set(inst.feature, i * dim));
  return Array.from(assignToCentroids(flat, pass.instances.length, dim, clusters.thingCentroids, clusters.thingK));
}

/** The pass's instances as the panoptic merge paints them (panopticMasks). */
function panopticThings(pass: ImagePass, instanceClusters: number[]): ThingInstance[] {
  const shown = panopticMasks(pass.instances.map((inst) => decodeMask(inst.rle)), pass.instances.map((inst) => inst.score), pass.proposals);
  return pass.instances.map((inst, i) => ({ maskRowMajor: shown[i], clusterId: instanceClusters[i], bbox: inst.bbox }));
}

export function labelImage(pass: ImagePass, tokens: ImageTokens, clusters: SessionClusters, instanceClusters = assignInstances(pass, clusters)): ImageLabels {
  if (tokens.tokenDim !== clusters.tokenDim) throw new Error(`tokens have ${tokens.tokenDim} channels; the clusters were fitted on ${clusters.tokenDim}`);
  const space = semanticRows(clusters, tokens.tokens, tokens.gridH * tokens.gridW);
  const semantic = semanticLabelsForImage(space.rows, tokens.gridH, tokens.gridW, space.dim, clusters.stuffCentroids, clusters.stuffK, pass.labelSizeHW);
  const panoptic = mergePanopticPseudoLabels(pass.labelSizeHW, panopticThings(pass, instanceClusters), semantic.pixelLabelsRowMajor, Math.max(clusters.thingK, 1), clusters.stuffK);
  for (const seg of panoptic.segments) if (seg.instanceIndex !== undefined) seg.score = pass.instances[seg.instanceIndex].score;
  return { semanticRowMajor: semantic.pixelLabelsRowMajor, instanceClusters, panoptic };
}
