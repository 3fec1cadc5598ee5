// Self-training (method.md §6), the one loop that both the app's adaptation worker and the Node
// evaluation run: fit the head to the session's targets, re-predict every image; optionally a
// second round fitted to the first round's confident re-predictions.
//
// Targets: the user's labels where they painted (repeated userWeight times, so a few strokes count),
// and the pseudo labels elsewhere (round 1) or, in round 2, each unpainted patch's round-1 argmax
// class where its probability reaches minConfidence (void otherwise: the usual confidence filter of
// self-training). Round 2 starts from fresh weights with the next seed and the round-1 input
// standardisation. When round 2 would have nothing to learn (no confident patch, no user label),
// only round 1 comes back.
import { headProbabilities, type HeadClasses, type PatchHead } from './head';
import { argmaxRows } from './predict';
import { IGNORE_TARGET, inputStatistics, trainHeadAsync, type EpochProgress, type TrainOptions, type TrainResult, type TrainingImage } from './train';

export interface SessionImage {
  /** [gridH·gridW, tokenDim] row-major. */
  tokensRowMajor: Float32Array;
  gridH: number;
  gridW: number;
  /** Pseudo-label class per patch (IGNORE_TARGET for void), e.g. from patchTargetsFromClassMap. */
  pseudoTargets: Uint8Array;
  /** The user's class per patch (IGNORE_TARGET where unpainted); these patches are never re-targeted. */
  userTargets?: Uint8Array;
}

/** Any trainer with trainHeadAsync's contract (the TypeScript one, or the WebGPU one in the browser). */
export type HeadTrainer = (images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions>) => Promise<TrainResult>;

export interface SelfTrainOptions {
  rounds: 1 | 2;
  /** Round-2 targets need at least this round-1 probability. */
  minConfidence: number;
  /** Copies of each image's user targets in the training set. */
  userWeight: number;
  train: Partial<TrainOptions>;
  trainer: HeadTrainer;
  /** Called per epoch with the round (1-based). */
  onEpoch?: (round: number, progress: EpochProgress) => void;
  /** Called after every batch with the round, as TrainOptions.onBatch. */
  onBatch?: (round: number, batch: number, batches: number, epoch: number) => void;
  shouldStop?: () => boolean;
}

export const SELF_TRAIN_DEFAULTS: SelfTrainOptions = { rounds: 2, minConfidence: 0.5, userWeight: 1, train: {}, trainer: trainHeadAsync };

export interface SelfTrainRound {
  round: number;
  head: PatchHead;
  history: EpochProgress[];
  stopped: boolean;
  /** What this round learnt besides the user's targets, per image (pseudo labels, or confident round-1 classes). */
  targets: Uint8Array[];
  /** [gridH·gridW, classCount] softmax of every session image, in input order. */
  patchProbabilities: Float32Array[];
  /** Argmax class per patch of every session image. */
  patchClasses: Uint8Array[];
}

/** The round-1 argmax per patch where confident enough and not painted by the user, else void. */
export function confidentTargets(
  patchClasses: Uint8Array, patchProbabilities: Float32Array, classCount: number, minConfidence: number, userTargets?: Uint8Array,
): Uint8Array {
  return Uint8Array.from(patchClasses, (c, p) =>
    (!userTargets || userTargets[p] === IGNORE_TARGET) && patchProbabilities[p * classCount + c] >= minConfidence ? c : IGNORE_TARGET);
}

/** Each image once with `targets`, then its user targets userWeight times when it has any. */
export function weightedTrainingImages(images: readonly SessionImage[], targets: readonly Uint8Array[], userWeight: number): TrainingImage[] {
  const out: TrainingImage[] = [];
  images.forEach((im, i) => {
    out.push({ tokensRowMajor: im.tokensRowMajor, targets: targets[i] });
    if (!im.userTargets?.some((t) => t !== IGNORE_TARGET)) return;
    for (let r = 0; r < userWeight; r++) out.push({ tokensRowMajor: im.tokensRowMajor, targets: im.userTargets });
  });
  return out;
}

async function runRound(
  round: number, images: readonly SessionImage[], targets: Uint8Array[], tokenDim: number, classes: HeadClasses, opts: SelfTrainOptions,
): Promise<SelfTrainRound> {
  const inputStats = opts.train.inputStats ?? inputStatistics(images.map((im) => im.tokensRowMajor), tokenDim);
  const seed = (opts.train.seed ?? 0) + round - 1;
  const result = await opts.trainer(weightedTrainingImages(images, targets, opts.userWeight), tokenDim, classes, {
    ...opts.train, seed, inputStats, shouldStop: opts.shouldStop,
    onEpoch: (p) => opts.onEpoch?.(round, p),
    onBatch: (batch, batches, epoch) => opts.onBatch?.(round, batch, batches, epoch),
  });
  const classCount = classes.names.length;
  const patchProbabilities = images.map((im) => headProbabilities(result.head, im.tokensRowMajor, im.gridH * im.gridW));
  const patchClasses = patchProbabilities.map((probs, i) => argmaxRows(probs, images[i].gridH * images[i].gridW, classCount));
  return { round, head: result.head, history: result.history, stopped: result.stopped, targets, patchProbabilities, patchClasses };
}

/**
 * Both rounds (one round when options.rounds is 1, when round 1 was stopped, or when round 2 has
 * nothing to learn). Input standardisation uses every session token unless train.inputStats is given.
 */
export async function selfTrain(images: readonly SessionImage[], tokenDim: number, classes: HeadClasses, options: Partial<SelfTrainOptions> = {}): Promise<SelfTrainRound[]> {
  const opts: SelfTrainOptions = { ...SELF_TRAIN_DEFAULTS, ...options };
  if (!images.length) throw new Error('self-training needs at least one image');
  const first = await runRound(1, images, images.map((im) => im.pseudoTargets), tokenDim, classes, opts);
  if (opts.rounds === 1 || first.stopped) return [first];
  const classCount = classes.names.length;
  const targets = images.map((im, i) => confidentTargets(first.patchClasses[i], first.patchProbabilities[i], classCount, opts.minConfidence, im.userTargets));
  const anyTarget = targets.some((t) => t.some((c) => c !== IGNORE_TARGET)) || images.some((im) => im.userTargets?.some((t) => t !== IGNORE_TARGET));
  if (!anyTarget) return [first];
  return [first, await runRound(2, images, targets, tokenDim, classes, { ...opts, train: { ...opts.train, inputStats: first.head.input } })];
}
