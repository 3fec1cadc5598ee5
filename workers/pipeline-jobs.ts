// The U2Seg passes as worker jobs over the session store (method.md §2–§5): each job reads what
// it needs from IndexedDB by image id and writes its result back, so any worker of the pool can run it.
import { embedPhoto, featureGrid } from '../src/core/backbone/shift-average';
import type { BackboneOutput, ModelManifest } from '../src/core/backbone/types';
import { labelImage } from '../src/core/pipeline/image-labels';
import { runImagePass, type ImagePass, type ProposalMode } from '../src/core/pipeline/image-pass';
import { embedViews, PROPOSAL_STAGE_REVISION, proposalViews } from '../src/core/pipeline/instance-proposals';
import type { RefineMethod } from '../src/core/pipeline/refine';
import { fitSessionClusters } from '../src/core/pipeline/session-clusters';
import type { BackboneSession } from '../src/runtime/backbone-session';
import type { StoredClusters, StoredLabels } from '../src/storage/records';
import { getFeatures, putFeatures, type SessionDb } from '../src/storage/session-db';
import { getClusters, getLabels, getPass, getSummary, putClusters, putLabels, putPass, putSummary } from '../src/storage/session-records';
import type { PanopticResult } from '../src/core/pipeline/panoptic-merge';
import type { ClusterSummary, LabelSummary, ProcessOptions, ProcessSummary, SegmentSummary } from './backbone-api';
import { decodePhoto } from './decode';

/** Labels are computed at most this large; huge photos are shown full size and exported upsampled. */
export const LABEL_MAX_SIDE = 640;


/** Decode → backbone → MaskCut pass; tokens and the pass go to the store. */
export async function processImage(
  session: BackboneSession,
  db: SessionDb,
  id: string,
  file: Blob,
  options: ProcessOptions,
): Promise<{ summary: ProcessSummary; features: BackboneOutput; pass: ImagePass }> {
  const name = file instanceof File ? file.name : id;
  const t0 = performance.now();
  const { rgba, sizeHW } = await decodePhoto(file, name, LABEL_MAX_SIDE);
  const t1 = performance.now();
  const m = session.manifest;
  const proposals = options.proposals ?? 'reference';
  const run = (input: Float32Array) => session.run(input);
  // 'multi' embeds overlapping crops too; the whole photo's features are its first view's.
  const views = proposals === 'multi' ? await embedViews(rgba, m, run, proposalViews()) : undefined;
  const features = views ? views[0].features : await embedPhoto(rgba, m, run);
  const t2 = performance.now();
  const labelSizeHW = { height: rgba.height, width: rgba.width };
  const pass = runImagePass(rgba.data, labelSizeHW, features, { tau: m.tau, refine: options.refine, maxMasks: options.maxMasks, proposals }, views);
  await putFeatures(db, { id, modelId: m.id, gridH: features.gridH, gridW: features.gridW, tokenDim: features.tokenDim, tokens: features.tokens, cls: features.cls });
  await putPass(db, id, pass);
  const summary: ProcessSummary = {
    id,
    sizeHW,
    labelSizeHW: [labelSizeHW.height, labelSizeHW.width],
    instances: pass.instances.length,
    timingsMs: { decode: t1 - t0, backbone: t2 - t1, ...pass.timingsMs },
    made: { proposals, refine: options.refine, ...(proposals === 'multi' ? { revision: PROPOSAL_STAGE_REVISION } : {}) },
  };
  await putSummary(db, summary);
  return { summary, features, pass };
}

/** Fits thing and stuff clusters over every listed image's stored pass and tokens. */
export async function clusterSession(db: SessionDb, ids: string[], opts: { thingK?: number; stuffK?: number; seed: number }): Promise<ClusterSummary> {
  const instanceFeatures: Float32Array[] = [];
  const tokenSets: Float32Array[] = [];
  const used: string[] = [];
  let tokenDim = 0, modelId = '';
  for (const id of ids) {
    const [pass, feats] = await Promise.all([getPass(db, id), getFeatures(db, id)]);
    if (!pass || !feats) continue;
    if (tokenDim && feats.tokenDim !== tokenDim) throw new Error('images were processed with different models; process them again');
    tokenDim = feats.tokenDim;
    modelId = feats.modelId;
    pass.instances.forEach((inst) => instanceFeatures.push(inst.feature));
    tokenSets.push(feats.tokens);
    used.push(id);
  }
  if (!used.length) throw new Error('no processed images to cluster');
  const t0 = performance.now();
  const previous = await getClusters(db);
  // A trained semantic head outlives re-clustering (another K, more photos) on the same model.
  const semantic = previous?.semanticHead && previous.semantic?.modelId === modelId && previous.semanticHead.projection.tokenDim === tokenDim ? previous : undefined;
  const clusters = fitSessionClusters(instanceFeatures, tokenSets, tokenDim, { ...opts, semanticHead: semantic?.semanticHead });
  const stored: StoredClusters = { ...clusters, version: (previous?.version ?? 0) + 1, imageIds: used, ...(semantic ? { semantic: semantic.semantic } : {}) };
  await putClusters(db, stored);
  return { thingK: clusters.thingK, stuffK: clusters.stuffK, version: stored.version, images: used.length, ms: performance.now() - t0 };
}

/** Instance clusters that the fit assigned, by image, in the fit's order. */
function fittedInstanceClusters(clusters: StoredClusters, passesBefore: Map<string, number>, id: string, count: number): number[] | undefined {
  const offset = passesBefore.get(id);
  if (offset === undefined) return undefined;
  return Array.from(clusters.instanceClusters.subarray(offset, offset + count));
}

export async function labelOne(db: SessionDb, id: string, offsets?: Map<string, number>): Promise<LabelSummary> {
  const [pass, feats, clusters] = await Promise.all([getPass(db, id), getFeatures(db, id), getClusters(db)]);
  if (!pass || !feats) throw new Error(`image ${id} has not been processed`);
  if (!clusters) throw new Error('the session has no clusters yet');
  const t0 = performance.now();
  const fitted = offsets ? fittedInstanceClusters(clusters, offsets, id, pass.instances.length) : undefined;
  const labels = labelImage(pass, feats, clusters, fitted);
  const stored: StoredLabels = { ...labels, clustersVersion: clusters.version, thingCount: Math.max(clusters.thingK, 1) };
  await putLabels(db, id, stored);
  return {
    id,
    clustersVersion: clusters.version,
    thingK: clusters.thingK,
    stuffK: clusters.stuffK,
    segments: segmentSummaries(labels.panoptic),
    ms: performance.now() - t0,
  };
}

/** Where each image's instances start in the fit's instance order (to reuse the fit's own assignments). */
export async function instanceOffsets(db: SessionDb): Promise<Map<string, number>> {
  const clusters = await getClusters(db);
  const offsets = new Map<string, number>();
  if (!clusters) return offsets;
  let at = 0;
  for (const id of clusters.imageIds) {
    offsets.set(id, at);
    at += (await getPass(db, id))?.instances.length ?? 0;
  }
  return offsets;
}

/** What a previous visit computed for an image with this model, if anything. */
export async function restoreImage(db: SessionDb, id: string, manifest: ModelManifest, asked: ProcessOptions): Promise<{ summary: ProcessSummary; label?: LabelSummary; tokens: StoredFeaturesLike } | null> {
  const [summary, feats, labels, clusters] = await Promise.all([
    getSummary(db, id),
    getFeatures(db, id),
    getLabels(db, id),
    getClusters(db),
  ]);
  // Same model id but another grid: features stored before the model's sampling changed (shiftAverage).
  if (!summary || !feats || feats.modelId !== manifest.id || feats.gridH !== featureGrid(manifest).gridH) return null;
  if (!madeAsAsked(summary, asked)) return null;
  const current = labels && clusters && labels.clustersVersion === clusters.version;
  const label: LabelSummary | undefined = current
    ? {
        id,
        clustersVersion: labels.clustersVersion,
        thingK: clusters.thingK,
        stuffK: clusters.stuffK,
        segments: segmentSummaries(labels.panoptic),
        ms: 0,
      }
    : undefined;
  return { summary, label, tokens: feats };
}

/** Whether a stored photo was made the way the page now asks (else it is processed again on restore). */
export function madeAsAsked(summary: Pick<ProcessSummary, 'made'>, asked: { proposals?: ProposalMode; refine: RefineMethod }): boolean {
  const proposals = asked.proposals ?? 'reference';
  const { made } = summary;
  if (!made) return proposals === 'reference';
  // The multi-view stage's masks change with its revision; MaskCut's do not.
  return made.proposals === proposals && made.refine === asked.refine && (proposals === 'reference' || made.revision === PROPOSAL_STAGE_REVISION);
}

type StoredFeaturesLike = { tokens: Float32Array; gridH: number; gridW: number; tokenDim: number };

/** The stored clusters' summary, for a page that comes back. */
export async function storedClusters(db: SessionDb): Promise<ClusterSummary | null> {
  const c = await getClusters(db);
  return c ? { thingK: c.thingK, stuffK: c.stuffK, version: c.version, images: c.imageIds.length, ms: 0 } : null;
}

/** What the UI keeps of a photo's panoptic segments (the legend counts them). */
export function segmentSummaries(panoptic: PanopticResult): SegmentSummary[] {
  return panoptic.segments.map((s) => ({ id: s.id, categoryId: s.categoryId, isThing: s.isThing, area: s.area, score: s.score }));
}

export type { RefineMethod };
