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
import type { SizeHW } from '../src/core/pipeline/upsample';
import type { ClusterSummary, EarlyRegions, EmbeddedImage, LabelSummary, ProcessOptions, ProcessSummary, SegmentSummary } from './backbone-api';
import { decodePhoto } from './decode';

/** Labels are computed at most this large; huge photos are shown full size and exported upsampled. */
export const LABEL_MAX_SIDE = 640;


/** The pass of a photo whose masks are not made yet: no instances, so clusters and labels see its regions only. */
export function provisionalPass(labelSizeHW: { height: number; width: number }, proposals: ProposalMode): ImagePass {
  return { labelSizeHW, proposals, instances: [], timingsMs: { maskcut: 0, refine: 0 }, provisional: true };
}

/** Stores a photo's tokens with a provisional pass (its masks are not made yet). */
async function putEmbedded(db: SessionDb, id: string, modelId: string, features: BackboneOutput, labelSizeHW: SizeHW, proposals: ProposalMode): Promise<void> {
  await putFeatures(db, { id, modelId, gridH: features.gridH, gridW: features.gridW, tokenDim: features.tokenDim, tokens: features.tokens, cls: features.cls });
  await putPass(db, id, provisionalPass(labelSizeHW, proposals));
}

/**
 * Decode → backbone; the tokens go to the store with a provisional pass (no instances yet), so
 * the photo can be clustered and labelled (its regions) before its masks exist. `onRegions`: the
 * session's first photo, clustered and labelled from its first passes (embedPhoto's preview)
 * while the others run.
 */
export async function embedImage(
  session: BackboneSession,
  db: SessionDb,
  id: string,
  file: Blob,
  options: ProcessOptions,
  onRegions?: (regions: EarlyRegions) => void,
): Promise<EmbeddedImage> {
  const name = file instanceof File ? file.name : id;
  const t0 = performance.now();
  const { rgba, sizeHW } = await decodePhoto(file, name, LABEL_MAX_SIDE);
  const t1 = performance.now();
  const m = session.manifest;
  const labelSizeHW = { height: rgba.height, width: rgba.width };
  const proposals = options.proposals ?? 'reference';
  let previewed = false;
  /** Worker time spent on the regions, left out of the backbone's. */
  let regionsMs = 0;
  const preview = onRegions
    ? async (early: BackboneOutput) => {
        previewed = true;
        const t2 = performance.now();
        await putEmbedded(db, id, m.id, early, labelSizeHW, proposals);
        const clusters = await clusterSession(db, [id], { seed: 0 });
        const t3 = performance.now();
        const label = await labelOne(db, id);
        regionsMs = performance.now() - t2;
        onRegions({ clusters, label, timingsMs: { decode: t1 - t0, backbone: t2 - t1, clusters: t3 - t2, label: performance.now() - t3 } });
      }
    : undefined;
  // 'multi' embeds overlapping crops too; the whole photo's features are its first view's.
  const views = proposals === 'multi' ? await embedViews(rgba, m, session, proposalViews(), preview) : undefined;
  const features = views ? views[0].features : await embedPhoto(rgba, m, session, preview);
  const backboneMs = performance.now() - t1 - regionsMs;
  // A model of one pass (or two) has no earlier features: its regions come from all of them.
  if (preview && !previewed) await preview(features);
  else await putEmbedded(db, id, m.id, features, labelSizeHW, proposals);
  return { id, sizeHW, rgba, features, views, proposals, tau: m.tau, timingsMs: { decode: t1 - t0, backbone: backboneMs } };
}

/** MaskCut (or the multi-view proposals) and refinement of an embedded photo; the pass and its summary go to the store. */
export async function segmentImage(db: SessionDb, embedded: EmbeddedImage, options: ProcessOptions): Promise<{ summary: ProcessSummary; pass: ImagePass }> {
  const { id, rgba, features, views, proposals, tau } = embedded;
  const labelSizeHW = { height: rgba.height, width: rgba.width };
  const pass = runImagePass(rgba.data, labelSizeHW, features, { tau, refine: options.refine, maxMasks: options.maxMasks, proposals }, views);
  await putPass(db, id, pass);
  const summary: ProcessSummary = {
    id,
    sizeHW: embedded.sizeHW,
    labelSizeHW: [labelSizeHW.height, labelSizeHW.width],
    instances: pass.instances.length,
    timingsMs: { ...embedded.timingsMs, ...pass.timingsMs },
    made: { proposals, refine: options.refine, ...(proposals === 'multi' ? { revision: PROPOSAL_STAGE_REVISION } : {}) },
  };
  await putSummary(db, summary);
  return { summary, pass };
}

/** Decode → backbone → MaskCut pass in one go; tokens and the pass go to the store. */
export async function processImage(
  session: BackboneSession,
  db: SessionDb,
  id: string,
  file: Blob,
  options: ProcessOptions,
): Promise<{ summary: ProcessSummary; features: BackboneOutput; pass: ImagePass }> {
  const embedded = await embedImage(session, db, id, file, options);
  const { summary, pass } = await segmentImage(db, embedded, options);
  return { summary, features: embedded.features, pass };
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
  // Fitted before this photo's masks existed (its regions were shown first): assign them instead.
  if (offset === undefined || offset + count > clusters.instanceClusters.length) return undefined;
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
  const [summary, feats, labels, clusters, pass] = await Promise.all([
    getSummary(db, id),
    getFeatures(db, id),
    getLabels(db, id),
    getClusters(db),
    getPass(db, id),
  ]);
  // Same model id but another grid: features stored before the model's sampling changed (shiftAverage).
  if (!summary || !feats || feats.modelId !== manifest.id || feats.gridH !== featureGrid(manifest).gridH) return null;
  // The page left between the backbone and the masks: the summary is an earlier run's.
  if (!pass || pass.provisional) return null;
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
