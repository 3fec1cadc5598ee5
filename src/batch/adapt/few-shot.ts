// Few-shot adaptation on a measured split (method.md §6): the head's classes are the COCO
// categories annotated in the k labelled photos plus 'other'; targets are their ground truth per
// patch. The '+pseudo' variant also trains on the other photos' pseudo labels, each pseudo class
// mapped to the head class it most often covers on the labelled photos (unseen ones void), with
// the labelled photos repeated so that they make up about half of the training patches.
import type { HeadClasses } from '../../core/adapt/head';
import { patchTargetsFromClassMap } from '../../core/adapt/targets';
import { IGNORE_TARGET, type TrainingImage } from '../../core/adapt/train';
import type { EvalGroundTruth } from './scoring';
import type { SessionPhoto } from './session-data';

export interface FewShotClasses {
  classes: HeadClasses;
  /** COCO category id of each thing class. */
  categoryIds: number[];
  /** Evaluation class index (see EvalGroundTruth) of every head class; 'other' last. */
  evalClassOf: number[];
}

/** Categories with a non-crowd annotation in the labelled images (by COCO id), then 'other'. */
export function fewShotClasses(gt: EvalGroundTruth, labelledImageIds: readonly number[]): FewShotClasses {
  const present = new Set<number>();
  for (const id of labelledImageIds) for (const a of gt.annotations.get(id) ?? []) if (!a.iscrowd) present.add(a.categoryId);
  const categoryIds = gt.categoryIds.filter((c) => present.has(c));
  const evalClassOf = [...categoryIds.map((c) => gt.categoryIds.indexOf(c)), gt.otherClass];
  return { classes: { names: evalClassOf.map((c) => gt.classNames[c]), thingCount: categoryIds.length }, categoryIds, evalClassOf };
}

/** Ground-truth head class per patch of a labelled photo (classes outside the head are void). */
export function fewShotTargets(photo: SessionPhoto, gtClassMap: Uint8Array, setup: FewShotClasses, evalClassCount: number): Uint8Array {
  const evalTargets = patchTargetsFromClassMap(gtClassMap, photo.photoSizeHW, photo.gridH, photo.gridW, evalClassCount);
  const headOf = new Map(setup.evalClassOf.map((c, h) => [c, h]));
  return Uint8Array.from(evalTargets, (c) => headOf.get(c) ?? IGNORE_TARGET);
}

/** Pseudo class → head class by majority over the labelled photos' patches; −1 where never seen. */
export function pseudoToHeadClass(pseudo: readonly Uint8Array[], truth: readonly Uint8Array[], pseudoCount: number, headCount: number): Int16Array {
  const votes = new Float64Array(pseudoCount * headCount);
  pseudo.forEach((p, i) => p.forEach((c, patch) => {
    const t = truth[i][patch];
    if (c < pseudoCount && t < headCount) votes[c * headCount + t]++;
  }));
  return Int16Array.from({ length: pseudoCount }, (_, c) => {
    let best = -1, bestVotes = 0;
    for (let h = 0; h < headCount; h++) {
      if (votes[c * headCount + h] > bestVotes) {
        bestVotes = votes[c * headCount + h];
        best = h;
      }
    }
    return best;
  });
}

/** The '+pseudo' training set: labelled photos (repeated) and the mapped pseudo labels of the others. */
export function withPseudoLabels(
  labelled: readonly TrainingImage[], others: readonly { tokensRowMajor: Float32Array; pseudoTargets: Uint8Array }[],
  labelledPseudo: readonly Uint8Array[], pseudoCount: number, headCount: number,
): TrainingImage[] {
  const map = pseudoToHeadClass(labelledPseudo, labelled.map((l) => l.targets), pseudoCount, headCount);
  const mapped = others.map((o) => ({ tokensRowMajor: o.tokensRowMajor, targets: Uint8Array.from(o.pseudoTargets, (c) => (c < pseudoCount && map[c] >= 0 ? map[c] : IGNORE_TARGET)) }));
  const count = (set: readonly TrainingImage[]) => set.reduce((s, im) => s + im.targets.filter((t) => t !== IGNORE_TARGET).length, 0);
  const repeats = Math.max(1, Math.round(count(mapped) / Math.max(count(labelled), 1)));
  return [...Array.from({ length: repeats }, () => labelled).flat(), ...mapped];
}
