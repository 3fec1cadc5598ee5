// The adaptation jobs over the session store (method.md §6 in the browser): the core's selfTrain on
// the user's and the pseudo labels of the stored photos, the head saved, every photo re-predicted.
import { headProbabilities } from '../src/core/adapt/head';
import { headFromJson, headToJson } from '../src/core/adapt/head-codec';
import { headLabels } from '../src/core/adapt/head-labels';
import { selfTrain, type HeadTrainer, type SelfTrainRound } from '../src/core/adapt/self-train';
import { IGNORE_TARGET, type EpochProgress } from '../src/core/adapt/train';
import type { StoredHead } from '../src/storage/records';
import type { SessionDb } from '../src/storage/session-db';
import { currentHeadLabels, getPass, getStoredHead, nextHeadVersion, putHeadLabels, putStoredHead } from '../src/storage/session-records';
import type { AdaptProgress, AdaptRequest, AdaptRoundSummary, AppliedLabels, HeadSummary, TrainBackend } from './adapt-api';
import { readTokens, readTrainingSet, type TrainingPhoto, type TrainingSet } from './adapt-data';
import { segmentSummaries } from './pipeline-jobs';

export type TrainFn = HeadTrainer;

function userAgreement(photos: readonly TrainingPhoto[], classesOf: readonly Uint8Array[]): number | null {
  let n = 0, right = 0;
  photos.forEach((p, i) => p.userTargets.forEach((t, k) => {
    if (t === IGNORE_TARGET) return;
    n++;
    if (classesOf[i][k] === t) right++;
  }));
  return n ? right / n : null;
}

function summariseRound(set: TrainingSet, r: SelfTrainRound, previous: SelfTrainRound | null): AdaptRoundSummary {
  let changed = 0, patches = 0, samples = 0, userSamples = 0;
  set.photos.forEach((p, i) => {
    patches += p.userTargets.length;
    userSamples += p.userPatches;
    samples += p.userPatches + r.targets[i].filter((t) => t !== IGNORE_TARGET).length;
    if (previous) for (let k = 0; k < r.patchClasses[i].length; k++) if (r.patchClasses[i][k] !== previous.patchClasses[i][k]) changed++;
  });
  return { round: r.round, history: r.history, samples, userSamples, userAgreement: userAgreement(set.photos, r.patchClasses), changedFraction: previous ? changed / patches : null };
}

/** Trains the head (one or two self-training rounds of the core's selfTrain) and saves it; the caller applies it to the photos. */
export async function trainSessionHead(db: SessionDb, request: AdaptRequest, backend: () => TrainBackend, train: TrainFn, shouldStop: () => boolean, onProgress: (p: AdaptProgress) => void): Promise<StoredHead> {
  onProgress({ phase: 'preparing', round: 1, rounds: request.rounds, done: 0, total: request.ids.length });
  const set = await readTrainingSet(db, request.ids, request.table, request.pseudoLabels, (done, total) => onProgress({ phase: 'preparing', round: 1, rounds: request.rounds, done, total }));
  if (!set.photos.some((p) => p.userPatches > 0 || p.pseudoTargets.some((t) => t !== IGNORE_TARGET))) throw new Error('no patch has a label: paint larger areas or turn pseudo labels on');
  const histories = new Map<number, EpochProgress[]>();
  const rounds = await selfTrain(set.photos, set.tokenDim, set.classes, {
    rounds: request.rounds, userWeight: request.userWeight, trainer: train, shouldStop,
    train: { kind: request.kind, hiddenDim: request.hiddenDim, epochs: request.epochs, seed: request.seed },
    onEpoch: (round, p) => histories.set(round, [...(histories.get(round) ?? []), p]),
    onBatch: (round, batch, batches, epoch) => onProgress({
      phase: 'training', round, rounds: request.rounds, done: (epoch - 1) * batches + batch, total: request.epochs * batches, epoch, epochs: request.epochs, history: [...(histories.get(round) ?? [])],
    }),
  });
  const last = rounds[rounds.length - 1];
  const version = await nextHeadVersion(db);
  const head = last.head;
  const summary: HeadSummary = {
    version, classes: set.categoryIds.map((categoryId, c) => ({ categoryId, name: set.classes.names[c], kind: set.kinds[c] })),
    kind: head.shape.kind, hiddenDim: head.shape.hiddenDim, tokenDim: set.tokenDim, modelId: set.modelId, backend: backend(),
    rounds: rounds.map((r, i) => summariseRound(set, r, i > 0 ? rounds[i - 1] : null)),
    labelledImages: set.labelledImages, trainedImages: set.photos.length, leftOutImages: set.leftOut, stopped: last.stopped, createdAt: Date.now(),
  };
  const stored: StoredHead = { version, head: headToJson(head, { modelId: set.modelId }), categoryIds: set.categoryIds, summary };
  await putStoredHead(db, stored);
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
    const [tokens, pass] = await Promise.all([readTokens(db, id), getPass(db, id)]);
    if (!tokens || !pass || tokens.tokenDim !== head.shape.tokenDim || (stored.summary.modelId && tokens.modelId !== stored.summary.modelId)) continue;
    const probs = headProbabilities(head, tokens.tokensRowMajor, tokens.gridH * tokens.gridW);
    const labels = headLabels(probs, tokens.gridH, tokens.gridW, head.classes, stored.categoryIds, pass.labelSizeHW, pass.instances, pass.proposals);
    await putHeadLabels(db, id, { ...labels, headVersion: stored.version, labelSizeHW: pass.labelSizeHW });
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
