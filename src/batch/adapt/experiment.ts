// The adaptation measurement on a labelled data set (method.md §6, scored as §7): (a) the
// unsupervised pipeline, (b) the head self-trained on pseudo labels (rounds 1 and 2), both with
// Hungarian cluster → class matching on the evaluation images, and (c) few-shot heads trained on k
// labelled photos' ground truth (optionally + pseudo labels), predicting class names. For each k
// and seed, k photos are drawn (seeded) and every method is scored on the remaining photos.
import type { HeadKind, InputStats } from '../../core/adapt/head';
import { predictFromProbabilities, predictImage } from '../../core/adapt/predict';
import { selfTrain, type SessionImage } from '../../core/adapt/self-train';
import { patchTargetsFromClassMap } from '../../core/adapt/targets';
import { balancedClassWeights, IGNORE_TARGET, inputStatistics, trainHead, type TrainingImage } from '../../core/adapt/train';
import { sampleDistinct } from '../../core/pipeline/kmeans';
import type { ProgressSink } from '../progress';
import { fewShotClasses, fewShotTargets, withPseudoLabels } from './few-shot';
import { headMethodPredictions, pipelinePredictions, scoreMethod, withAppInstances, withMaskCutInstances, type MethodPredictions, type MethodScore } from './predictions';
import type { EvalGroundTruth } from './scoring';
import type { SessionData } from './session-data';

export interface AdaptExperimentOptions {
  ks: number[];
  seeds: number[];
  heads: HeadKind[];
  hiddenDim: number;
  /** Self-training epochs per round. */
  epochs: number;
  rounds: 1 | 2;
  /** Optimiser steps of each few-shot head (epochs = steps / batches per epoch). */
  fewShotSteps: number;
  /** Also train few-shot heads with the other photos' mapped pseudo labels. */
  withPseudo: boolean;
  /** Also score every head with the MaskCut masks as instances, classed by the head, and with the app's instances. */
  maskCutInstances: boolean;
  learningRate: number;
  /** 'balanced': class weights ∝ frequency^−½ over each head's training patches. */
  classWeighting: 'none' | 'balanced';
  progress: ProgressSink | null;
}

export const ADAPT_EXPERIMENT_DEFAULTS: Omit<AdaptExperimentOptions, 'progress'> = {
  ks: [1, 5, 10, 20], seeds: [0, 1, 2], heads: ['linear', 'mlp'], hiddenDim: 128, epochs: 10, rounds: 2, fewShotSteps: 400, withPseudo: true, maskCutInstances: true, learningRate: 1e-3, classWeighting: 'none',
};

export interface ScoreRow extends MethodScore {
  k: number;
  seed: number;
  trainMs: number;
}

export interface AdaptExperimentResult {
  rows: ScoreRow[];
  /** Self-training loss/accuracy per epoch, per head kind and round. */
  selfTrainHistory: Record<string, { loss: number; accuracy: number; ms: number }[]>;
}

interface Shared {
  session: SessionData;
  gt: EvalGroundTruth;
  imageIds: number[];
  pseudoTargets: Uint8Array[];
  inputStats: InputStats;
  opts: AdaptExperimentOptions;
}

function note(opts: AdaptExperimentOptions, text: string): void {
  opts.progress?.write(`${text}\n`);
}

/** (b): one self-training run per head kind; each round becomes a method. */
async function selfTrainedMethods(sh: Shared, history: AdaptExperimentResult['selfTrainHistory']): Promise<{ method: MethodPredictions; ms: number }[]> {
  const { session, opts } = sh;
  const { thingK, stuffK } = session;
  const names = [...Array.from({ length: thingK }, (_, t) => `thing ${t + 1}`), ...Array.from({ length: stuffK }, (_, c) => `stuff ${c + 1}`)];
  const images: SessionImage[] = session.photos.map((p, i) => ({ tokensRowMajor: p.tokens, gridH: p.gridH, gridW: p.gridW, pseudoTargets: sh.pseudoTargets[i] }));
  const all = session.photos.map((_, i) => i);
  const identity = { labelling: 'clusters' as const, semanticLabelCount: thingK + stuffK, thingClusterCount: thingK, semanticLabelOf: (c: number) => c, categoryOf: (c: number) => c };
  const out: { method: MethodPredictions; ms: number }[] = [];
  const training = images.map((im) => ({ tokensRowMajor: im.tokensRowMajor, targets: im.pseudoTargets }));
  const classWeights = opts.classWeighting === 'balanced' ? balancedClassWeights(training, thingK + stuffK) : undefined;
  for (const kind of opts.heads) {
    const started = performance.now();
    const rounds = await selfTrain(images, session.tokenDim, { names, thingCount: thingK }, {
      rounds: opts.rounds,
      trainer: async (...args) => trainHead(...args),
      train: { kind, hiddenDim: opts.hiddenDim, epochs: opts.epochs, learningRate: opts.learningRate, inputStats: sh.inputStats, classWeights },
      onEpoch: (round, p) => note(opts, `  self-train ${kind} round ${round} epoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(3)} acc ${(100 * p.accuracy).toFixed(1)} % (${(p.ms / 1000).toFixed(1)} s)`),
    });
    const ms = (performance.now() - started) / rounds.length;
    for (const r of rounds) {
      history[`${kind} r${r.round}`] = r.history.map((h) => ({ loss: h.loss, accuracy: h.accuracy, ms: h.ms }));
      const predictions = session.photos.map((p, i) => predictFromProbabilities(r.patchProbabilities[i], p.gridH, p.gridW, r.head.classes, p.labelSizeHW, { panoptic: false }));
      const method = headMethodPredictions(`self-train ${kind} r${r.round} (clusters)`, session.photos, sh.imageIds, all, predictions, identity);
      out.push({ method, ms });
      if (!opts.maskCutInstances) continue;
      out.push({ method: withMaskCutInstances(method, session.photos, sh.imageIds, all, predictions, r.head.classes, (c) => c), ms });
      out.push({ method: withAppInstances(method, session.photos, sh.imageIds, all, predictions, r.head.classes, (c) => c), ms });
    }
  }
  return out;
}

/** (c): a few-shot head on the labelled photos, predicting the evaluation photos. */
function fewShotMethods(sh: Shared, kind: HeadKind, labelled: number[], evalIdx: number[], pseudo: boolean, seed: number): { method: MethodPredictions; ms: number }[] {
  const { session, gt, opts } = sh;
  const started = performance.now();
  const setup = fewShotClasses(gt, labelled.map((i) => sh.imageIds[i]));
  const evalClassCount = gt.classNames.length;
  let training: TrainingImage[] = labelled.map((i) => ({
    tokensRowMajor: session.photos[i].tokens,
    targets: fewShotTargets(session.photos[i], gt.classMaps.get(sh.imageIds[i]) as Uint8Array, setup, evalClassCount),
  }));
  if (pseudo) {
    const others = evalIdx.map((i) => ({ tokensRowMajor: session.photos[i].tokens, pseudoTargets: sh.pseudoTargets[i] }));
    training = withPseudoLabels(training, others, labelled.map((i) => sh.pseudoTargets[i]), session.thingK + session.stuffK, setup.classes.names.length);
  }
  const samples = training.reduce((s, im) => s + im.targets.filter((t) => t !== IGNORE_TARGET).length, 0);
  const epochs = Math.max(1, Math.round(opts.fewShotSteps / Math.max(1, Math.ceil(samples / 256))));
  const classWeights = opts.classWeighting === 'balanced' ? balancedClassWeights(training, setup.classes.names.length) : undefined;
  const { head } = trainHead(training, session.tokenDim, setup.classes, {
    kind, hiddenDim: opts.hiddenDim, epochs, learningRate: opts.learningRate, inputStats: sh.inputStats, seed, classWeights,
  });
  const preds = evalIdx.map((i) => predictImage(head, session.photos[i].tokens, session.photos[i].gridH, session.photos[i].gridW, session.photos[i].labelSizeHW, { panoptic: false }));
  const labelling = {
    labelling: 'classes' as const, semanticLabelCount: evalClassCount, thingClusterCount: 0,
    semanticLabelOf: (c: number) => setup.evalClassOf[c], categoryOf: (c: number) => setup.categoryIds[c],
  };
  const name = `few-shot${pseudo ? '+pseudo' : ''} ${kind} (classes)`;
  const method = headMethodPredictions(name, session.photos, sh.imageIds, evalIdx, preds, labelling);
  const ms = performance.now() - started;
  if (!opts.maskCutInstances) return [{ method, ms }];
  return [
    { method, ms },
    { method: withMaskCutInstances(method, session.photos, sh.imageIds, evalIdx, preds, head.classes, labelling.categoryOf), ms },
    { method: withAppInstances(method, session.photos, sh.imageIds, evalIdx, preds, head.classes, labelling.categoryOf), ms },
  ];
}

export async function runAdaptExperiment(session: SessionData, gt: EvalGroundTruth, options: Partial<AdaptExperimentOptions> = {}): Promise<AdaptExperimentResult> {
  const opts: AdaptExperimentOptions = { ...ADAPT_EXPERIMENT_DEFAULTS, progress: null, ...options };
  const n = session.photos.length;
  const bad = opts.ks.filter((k) => k < 1 || k >= n);
  if (bad.length) throw new Error(`k must be in [1, ${n - 1}] for ${n} photos; got ${bad.join(', ')}`);
  const pseudoCount = session.thingK + session.stuffK;
  const sh: Shared = {
    session, gt, opts,
    imageIds: session.photos.map((p) => gt.imageIdOfKey.get(p.key) as number),
    pseudoTargets: session.photos.map((p) => patchTargetsFromClassMap(p.classMap, p.labelSizeHW, p.gridH, p.gridW, pseudoCount)),
    inputStats: inputStatistics(session.photos.map((p) => p.tokens), session.tokenDim),
  };
  const history: AdaptExperimentResult['selfTrainHistory'] = {};
  note(opts, `self-training on ${n} photos (${session.thingK} thing + ${session.stuffK} stuff pseudo classes)`);
  const unsupervised = [{ method: pipelinePredictions(session.photos, sh.imageIds, session.thingK, session.stuffK), ms: 0 }, ...(await selfTrainedMethods(sh, history))];
  const rows: ScoreRow[] = [];
  for (const k of opts.ks) {
    for (const seed of opts.seeds) {
      const labelled = Array.from(sampleDistinct(n, k, seed)).sort((a, b) => a - b);
      const taken = new Set(labelled);
      const evalIdx = session.photos.map((_, i) => i).filter((i) => !taken.has(i));
      const evalIds = evalIdx.map((i) => sh.imageIds[i]);
      note(opts, `k ${k} seed ${seed}: labelled ${labelled.map((i) => session.photos[i].key).join(' ')}`);
      const methods = [...unsupervised];
      for (const kind of opts.heads) methods.push(...fewShotMethods(sh, kind, labelled, evalIdx, false, seed));
      if (opts.withPseudo) for (const kind of opts.heads) methods.push(...fewShotMethods(sh, kind, labelled, evalIdx, true, seed));
      for (const m of methods) rows.push({ k, seed, trainMs: m.ms, ...scoreMethod(m.method, gt, evalIds) });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return { rows, selfTrainHistory: history };
}
