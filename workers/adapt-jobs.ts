// The adaptation jobs over the session store (method.md §6 in the browser): train the head in one
// or two self-training rounds on the user's and the pseudo labels, save it, re-predict every photo.
import { headProbabilities, type HeadClasses, type PatchHead } from '../src/core/adapt/head';
import { headFromJson, headToJson } from '../src/core/adapt/head-codec';
import { headLabels } from '../src/core/adapt/head-labels';
import { argmaxRows } from '../src/core/adapt/predict';
import { IGNORE_TARGET, inputStatistics, type EpochProgress, type TrainOptions, type TrainResult, type TrainingImage } from '../src/core/adapt/train';
import type { ImagePass } from '../src/core/pipeline/image-pass';
import { currentHeadLabels, getStoredHead, HEAD_KEY, HEAD_LABELS, nextHeadVersion, type StoredHead, type StoredHeadLabels } from '../src/storage/head-store';
import { getResult, putMeta, putResult, type SessionDb } from '../src/storage/session-db';
import type { AdaptProgress, AdaptRequest, AdaptRoundSummary, AppliedLabels, HeadSummary, TrainBackend } from './adapt-api';
import { readTokens, readTrainingSet, type TrainingPhoto, type TrainingSet } from './adapt-data';
import { PASS, segmentSummaries } from './pipeline-jobs';

/** Round-2 targets need at least this round-1 probability (self-training's confidence filter). */
const MIN_CONFIDENCE = 0.5;

export type TrainFn = (images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions>) => Promise<TrainResult>;

interface RoundContext {
  set: TrainingSet;
  request: AdaptRequest;
  train: TrainFn;
  shouldStop: () => boolean;
  onProgress: (p: AdaptProgress) => void;
}

/** User patches repeated userWeight times, pseudo (or confident) targets once. */
function trainingImages(photos: readonly TrainingPhoto[], otherTargets: readonly Uint8Array[], userWeight: number): TrainingImage[] {
  const out: TrainingImage[] = [];
  photos.forEach((p, i) => {
    out.push({ tokensRowMajor: p.tokensRowMajor, targets: otherTargets[i] });
    for (let r = 0; r < (p.userPatches ? userWeight : 0); r++) out.push({ tokensRowMajor: p.tokensRowMajor, targets: p.userTargets });
  });
  return out;
}

async function runRound(round: number, ctx: RoundContext, targets: readonly Uint8Array[], inputStats: PatchHead['input']): Promise<{ result: TrainResult; classesOf: Uint8Array[] }> {
  const { set, request } = ctx;
  const rounds = request.rounds;
  const history: EpochProgress[] = [];
  const result = await ctx.train(trainingImages(set.photos, targets, request.userWeight), set.tokenDim, set.classes, {
    kind: request.kind, hiddenDim: request.hiddenDim, epochs: request.epochs, seed: request.seed + round - 1, inputStats,
    shouldStop: ctx.shouldStop,
    onEpoch: (p) => history.push(p),
    onBatch: (batch, batches, epoch) => ctx.onProgress({ phase: 'training', round, rounds, done: (epoch - 1) * batches + batch, total: request.epochs * batches, epoch, epochs: request.epochs, history: [...history] }),
  });
  const classCount = set.classes.names.length;
  const classesOf = set.photos.map((p) => argmaxRows(headProbabilities(result.head, p.tokensRowMajor, p.gridH * p.gridW), p.gridH * p.gridW, classCount));
  return { result, classesOf };
}

function userAgreement(photos: readonly TrainingPhoto[], classesOf: readonly Uint8Array[]): number | null {
  let n = 0, right = 0;
  photos.forEach((p, i) => p.userTargets.forEach((t, k) => {
    if (t === IGNORE_TARGET) return;
    n++;
    if (classesOf[i][k] === t) right++;
  }));
  return n ? right / n : null;
}

function summariseRound(round: number, set: TrainingSet, targets: readonly Uint8Array[], r: { result: TrainResult; classesOf: Uint8Array[] }, previous: Uint8Array[] | null): AdaptRoundSummary {
  let changed = 0, patches = 0, samples = 0, userSamples = 0;
  set.photos.forEach((p, i) => {
    patches += p.userTargets.length;
    userSamples += p.userPatches;
    samples += p.userPatches + targets[i].filter((t) => t !== IGNORE_TARGET).length;
    if (previous) for (let k = 0; k < r.classesOf[i].length; k++) if (r.classesOf[i][k] !== previous[i][k]) changed++;
  });
  return { round, history: r.result.history, samples, userSamples, userAgreement: userAgreement(set.photos, r.classesOf), changedFraction: previous ? changed / patches : null };
}

/** Round-1 argmax where confident, else void; user-labelled patches stay the user's. */
function confidentTargets(set: TrainingSet, head: PatchHead, classesOf: readonly Uint8Array[]): Uint8Array[] {
  const classCount = set.classes.names.length;
  return set.photos.map((p, i) => {
    const probs = headProbabilities(head, p.tokensRowMajor, p.gridH * p.gridW);
    return Uint8Array.from(classesOf[i], (c, k) => (p.userTargets[k] === IGNORE_TARGET && probs[k * classCount + c] >= MIN_CONFIDENCE ? c : IGNORE_TARGET));
  });
}

/** Trains the head (one or two rounds) and saves it; the caller applies it to the photos. */
export async function trainSessionHead(db: SessionDb, request: AdaptRequest, backend: () => TrainBackend, train: TrainFn, shouldStop: () => boolean, onProgress: (p: AdaptProgress) => void): Promise<StoredHead> {
  onProgress({ phase: 'preparing', round: 1, rounds: request.rounds, done: 0, total: request.ids.length });
  const set = await readTrainingSet(db, request.ids, request.table, request.pseudoLabels, (done, total) => onProgress({ phase: 'preparing', round: 1, rounds: request.rounds, done, total }));
  if (!set.photos.some((p) => p.userPatches > 0 || p.pseudoTargets.some((t) => t !== IGNORE_TARGET))) throw new Error('no patch has a label: paint larger areas or turn pseudo labels on');
  const inputStats = inputStatistics(set.photos.map((p) => p.tokensRowMajor), set.tokenDim);
  const ctx: RoundContext = { set, request, train, shouldStop, onProgress };
  const firstTargets = set.photos.map((p) => p.pseudoTargets);
  const first = await runRound(1, ctx, firstTargets, inputStats);
  const rounds = [summariseRound(1, set, firstTargets, first, null)];
  let last = first;
  if (request.rounds === 2 && !first.result.stopped) {
    const targets = confidentTargets(set, first.result.head, first.classesOf);
    if (targets.some((t) => t.some((c) => c !== IGNORE_TARGET)) || set.photos.some((p) => p.userPatches)) {
      last = await runRound(2, ctx, targets, first.result.head.input);
      rounds.push(summariseRound(2, set, targets, last, first.classesOf));
    }
  }
  const version = await nextHeadVersion(db);
  const head = last.result.head;
  const summary: HeadSummary = {
    version, classes: set.categoryIds.map((categoryId, c) => ({ categoryId, name: set.classes.names[c], kind: set.kinds[c] })),
    kind: head.shape.kind, hiddenDim: head.shape.hiddenDim, tokenDim: set.tokenDim, modelId: set.modelId, backend: backend(), rounds,
    labelledImages: set.labelledImages, trainedImages: set.photos.length, leftOutImages: set.leftOut, stopped: last.result.stopped, createdAt: Date.now(),
  };
  const stored: StoredHead = { version, head: headToJson(head, { modelId: set.modelId }), categoryIds: set.categoryIds, summary };
  await putMeta(db, HEAD_KEY, stored);
  return stored;
}

/** Re-predicts the listed photos with the saved head; photos of another model are skipped. */
export async function applyStoredHead(db: SessionDb, ids: readonly string[], onPhoto: (done: number, total: number) => void): Promise<AppliedLabels[]> {
  const stored = await getStoredHead(db);
  if (!stored) return [];
  const head = headFromJson(stored.head);
  const out: AppliedLabels[] = [];
  for (const [i, id] of ids.entries()) {
    onPhoto(i, ids.length);
    const [tokens, pass] = await Promise.all([readTokens(db, id), getResult<ImagePass>(db, id, PASS)]);
    if (!tokens || !pass || tokens.tokenDim !== head.shape.tokenDim || (stored.summary.modelId && tokens.modelId !== stored.summary.modelId)) continue;
    const probs = headProbabilities(head, tokens.tokensRowMajor, tokens.gridH * tokens.gridW);
    const labels = headLabels(probs, tokens.gridH, tokens.gridW, head.classes, stored.categoryIds, pass.labelSizeHW, pass.instances);
    await putResult<StoredHeadLabels>(db, id, HEAD_LABELS, { ...labels, headVersion: stored.version, labelSizeHW: pass.labelSizeHW });
    out.push({ id, segments: segmentSummaries(labels.panoptic) });
  }
  onPhoto(ids.length, ids.length);
  return out;
}

/** Segments of the photos' current head labels, read back without predicting. */
export async function storedHeadSegments(db: SessionDb, ids: readonly string[]): Promise<AppliedLabels[]> {
  const out: AppliedLabels[] = [];
  for (const id of ids) {
    const labels = await currentHeadLabels(db, id);
    if (labels) out.push({ id, segments: segmentSummaries(labels.panoptic) });
  }
  return out;
}
