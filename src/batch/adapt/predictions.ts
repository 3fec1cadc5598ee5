// One method's predictions on every session photo, at photo size, in the form the scores need
// (method.md §6 outputs scored as §7): a semantic label map per image and COCO-style instances.
import type { HeadClasses } from '../../core/adapt/head';
import { headLabels } from '../../core/adapt/head-labels';
import { classifyMasks, type HeadPrediction } from '../../core/adapt/predict';
import { decodeMask, rleToBbox } from '../../core/coco/rle';
import type { PredInstance } from '../eval/instance-scores';
import {
  classInstanceScores, clusterInstanceScores, rleToPhotoSize, SemanticAccumulator, toPhotoSize,
  type EvalGroundTruth, type InstanceScore, type SemanticScore,
} from './scoring';
import type { SessionPhoto } from './session-data';

export interface MethodPredictions {
  method: string;
  /** 'clusters': labels are cluster indices to be matched; 'classes': GT class indices / category ids. */
  labelling: 'clusters' | 'classes';
  /** Semantic labels in use: [0, semanticLabelCount). */
  semanticLabelCount: number;
  /** Instance clusters [0, thingClusterCount) ('clusters' only). */
  thingClusterCount: number;
  /** Photo-size semantic label map per image id. */
  semantic: Map<number, Uint8Array>;
  instances: PredInstance[];
}

export interface MethodScore extends InstanceScore, SemanticScore {
  method: string;
  evalImages: number;
  /** mIoU over the 13 supercategory classes. */
  mIoUSuper: number;
}

function instance(imageId: number, photo: SessionPhoto, rle: PredInstance['rle'], categoryId: number, score: number): PredInstance {
  const full = rleToPhotoSize(rle, photo.labelSizeHW, photo.photoSizeHW);
  return { image_id: imageId, category_id: categoryId, score, bbox: rleToBbox(full), rle: full };
}

/** (a) The unsupervised pipeline: MaskCut instances with thing clusters, the pseudo class map as semantics. */
export function pipelinePredictions(photos: readonly SessionPhoto[], imageIds: readonly number[], thingK: number, stuffK: number): MethodPredictions {
  const semantic = new Map<number, Uint8Array>();
  const instances: PredInstance[] = [];
  photos.forEach((photo, i) => {
    semantic.set(imageIds[i], toPhotoSize(photo.classMap, photo.labelSizeHW, photo.photoSizeHW));
    for (const inst of photo.instances) instances.push(instance(imageIds[i], photo, inst.rle, inst.thingCluster, inst.score));
  });
  return { method: 'pipeline (clusters)', labelling: 'clusters', semanticLabelCount: thingK + stuffK, thingClusterCount: thingK, semantic, instances };
}

export interface HeadLabelling {
  labelling: MethodPredictions['labelling'];
  semanticLabelCount: number;
  thingClusterCount: number;
  /** Head class → semantic label (cluster, or GT class index). */
  semanticLabelOf: (classIndex: number) => number;
  /** Head thing class → instance category (cluster index, or COCO category id). */
  categoryOf: (classIndex: number) => number;
}

/** A head's predictions for the photos at `indices` (predictions[j] belongs to photos[indices[j]]). */
export function headMethodPredictions(
  method: string, photos: readonly SessionPhoto[], imageIds: readonly number[], indices: readonly number[],
  predictions: readonly HeadPrediction[], labelling: HeadLabelling,
): MethodPredictions {
  const semantic = new Map<number, Uint8Array>();
  const instances: PredInstance[] = [];
  indices.forEach((photoIndex, j) => {
    const photo = photos[photoIndex], pred = predictions[j], id = imageIds[photoIndex];
    const lookup = Uint8Array.from({ length: 256 }, (_, c) => labelling.semanticLabelOf(c) ?? 255);
    const labels = new Uint8Array(pred.semanticRowMajor.length);
    for (let p = 0; p < labels.length; p++) labels[p] = lookup[pred.semanticRowMajor[p]];
    semantic.set(id, toPhotoSize(labels, photo.labelSizeHW, photo.photoSizeHW));
    for (const inst of pred.instances) instances.push(instance(id, photo, inst.rle, labelling.categoryOf(inst.classIndex), inst.score));
  });
  return { method, ...labelling, semantic, instances };
}

/**
 * The same head's semantics, but instances = each photo's MaskCut masks classed by the head (mean
 * class probability over the mask; that probability is the score): the head as U2Seg's classifier
 * on top of the unsupervised masks, instead of connected components of its own argmax.
 */
export function withMaskCutInstances(
  base: MethodPredictions, photos: readonly SessionPhoto[], imageIds: readonly number[], indices: readonly number[],
  predictions: readonly HeadPrediction[], classes: HeadClasses, categoryOf: (classIndex: number) => number,
): MethodPredictions {
  const instances: PredInstance[] = [];
  indices.forEach((photoIndex, j) => {
    const photo = photos[photoIndex], pred = predictions[j];
    const masks = photo.instances.map((inst) => decodeMask(inst.rle));
    const labels = classifyMasks(pred.patchProbabilities, pred.gridH, pred.gridW, classes, masks, photo.labelSizeHW);
    labels.forEach((l, m) => {
      if (l.classIndex >= 0) instances.push(instance(imageIds[photoIndex], photo, photo.instances[m].rle, categoryOf(l.classIndex), l.score));
    });
  });
  return { ...base, method: base.method.replace(/ \(/, ', MaskCut masks ('), instances };
}

/**
 * Instances as the app makes them (core/adapt/head-labels.ts): MaskCut's masks that the head calls
 * a thing class (a mask it calls stuff is dropped), plus the head's own thing components that those
 * masks leave mostly uncovered.
 */
export function withAppInstances(
  base: MethodPredictions, photos: readonly SessionPhoto[], imageIds: readonly number[], indices: readonly number[],
  predictions: readonly HeadPrediction[], classes: HeadClasses, categoryOf: (classIndex: number) => number,
): MethodPredictions {
  const instances: PredInstance[] = [];
  const classIndices = classes.names.map((_, c) => c);
  indices.forEach((photoIndex, j) => {
    const photo = photos[photoIndex], pred = predictions[j];
    const labels = headLabels(pred.patchProbabilities, pred.gridH, pred.gridW, classes, classIndices, photo.labelSizeHW, photo.instances);
    for (const inst of labels.instances) instances.push(instance(imageIds[photoIndex], photo, inst.rle, categoryOf(inst.categoryId), inst.score));
  });
  return { ...base, method: base.method.replace(/ \(/, ', as the app ('), instances };
}

function lookup(values: Uint8Array, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] < table.length ? table[values[i]] : 255;
  return out;
}

/** Mask AP and semantic scores of one method on the evaluation images. */
export function scoreMethod(m: MethodPredictions, gt: EvalGroundTruth, evalIds: number[]): MethodScore {
  const mode = m.labelling === 'clusters' ? 'hungarian' : 'direct';
  const acc = new SemanticAccumulator(m.semanticLabelCount, gt.classNames.length, mode);
  const superCount = gt.superNames.length;
  const superAcc = new SemanticAccumulator(mode === 'direct' ? superCount : m.semanticLabelCount, superCount, mode);
  for (const id of evalIds) {
    const pred = m.semantic.get(id), truth = gt.classMaps.get(id);
    if (!pred || !truth) throw new Error(`${m.method}: no prediction or ground truth for image ${id}`);
    acc.add(pred, truth);
    superAcc.add(mode === 'direct' ? lookup(pred, gt.superOfClass) : pred, lookup(truth, gt.superOfClass));
  }
  const inst = m.labelling === 'clusters'
    ? clusterInstanceScores(gt.coco, m.instances, m.thingClusterCount, evalIds)
    : classInstanceScores(gt.coco, m.instances, evalIds);
  return { method: m.method, evalImages: evalIds.length, ...inst, ...acc.result(), mIoUSuper: superAcc.result().mIoU };
}
