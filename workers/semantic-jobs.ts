// STEGO's training as a job over the session store (method.md §4): the processed photos' tokens in,
// the session's clusters out with their stuff half refitted in the trained head's code space.
import { withSemanticHead } from '../src/core/pipeline/session-clusters';
import { semanticHeadOf } from '../src/core/stego/semantic-head';
import type { StegoModel } from '../src/core/stego/train';
import type { StoredClusters } from '../src/storage/records';
import { getFeatures, type SessionDb } from '../src/storage/session-db';
import { getClusters, putClusters } from '../src/storage/session-records';
import type { ClusterSummary } from './backbone-api';
import type { SemanticProgress, SemanticRequest, SemanticSummary } from './semantic-api';
import { trainStegoHead, type StegoRunReport } from './semantic-trainer';

/** Reads the photos' tokens; all must come from one model. */
async function sessionTokens(db: SessionDb, ids: string[]): Promise<{ tokens: Float32Array[]; tokenDim: number; modelId: string }> {
  const tokens: Float32Array[] = [];
  let tokenDim = 0, modelId = '';
  for (const id of ids) {
    const f = await getFeatures(db, id);
    if (!f) continue;
    if (modelId && f.modelId !== modelId) throw new Error('the photos were processed with different models; process them again');
    tokens.push(f.tokens);
    tokenDim = f.tokenDim;
    modelId = f.modelId;
  }
  if (!tokens.length) throw new Error('no processed photo to train the semantic head on');
  return { tokens, tokenDim, modelId };
}

/** A macrotask, so progress messages leave and a cancel can arrive between reports. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function train(tokens: Float32Array[], tokenDim: number, request: SemanticRequest, shouldStop: () => boolean, onProgress: (p: SemanticProgress) => void): Promise<{ model: StegoModel; run: StegoRunReport }> {
  let history: SemanticProgress['history'] = [];
  let backend: string | null = null;
  return trainStegoHead(tokens, tokenDim, { ...request.options, seed: request.seed }, request.backend ?? 'auto', async (p, run) => {
    // A WebGPU run that failed restarts on the CPU: its curve starts again.
    if (run.backend !== backend) history = [];
    backend = run.backend;
    history.push({ step: p.step, loss: p.loss });
    onProgress({ phase: 'training', step: p.step, totalSteps: p.totalSteps, history: [...history], msPerStep: p.msPerStep, backend: run.backend, backendNote: run.note });
    await breathe();
    return !shouldStop();
  });
}

export async function trainSemanticHead(
  db: SessionDb,
  request: SemanticRequest,
  shouldStop: () => boolean,
  onProgress: (p: SemanticProgress) => void,
): Promise<{ clusters: ClusterSummary; semantic: SemanticSummary }> {
  onProgress({ phase: 'preparing', step: 0, totalSteps: request.options?.steps ?? 0, history: [] });
  const { tokens, tokenDim, modelId } = await sessionTokens(db, request.ids);
  const started = performance.now();
  const { model, run } = await train(tokens, tokenDim, request, shouldStop, onProgress);
  const trainMs = performance.now() - started;
  onProgress({ phase: 'clustering', step: model.steps, totalSteps: model.history.at(-1)?.totalSteps ?? model.steps, history: model.history.map((h) => ({ step: h.step, loss: h.loss })), backend: run.backend, backendNote: run.note });
  // Read the clusters after training: photos added meanwhile may have refitted them.
  const current = await getClusters(db);
  if (!current) throw new Error('the session has no clusters to refine yet');
  if (current.tokenDim !== tokenDim) throw new Error('the session was clustered with another model while the semantic head trained');
  const t0 = performance.now();
  const clusters = withSemanticHead(current, semanticHeadOf(model), tokens, { stuffK: request.stuffK ?? current.stuffK, seed: request.seed });
  const last = model.history.at(-1);
  const semantic: SemanticSummary = {
    modelId, photos: tokens.length, steps: model.steps, totalSteps: last?.totalSteps ?? model.steps, stopped: model.steps < (last?.totalSteps ?? model.steps),
    finalLoss: last?.loss ?? 0, trainMs, createdAt: Date.now(), backend: run.backend, backendNote: run.note,
  };
  const stored: StoredClusters = { ...clusters, version: current.version + 1, imageIds: current.imageIds, semantic };
  await putClusters(db, stored);
  return { clusters: { thingK: stored.thingK, stuffK: stored.stuffK, version: stored.version, images: stored.imageIds.length, ms: performance.now() - t0 }, semantic };
}

export async function storedSemanticSummary(db: SessionDb): Promise<SemanticSummary | null> {
  const c = await getClusters(db);
  return c?.semanticHead && c.semantic ? c.semantic : null;
}
