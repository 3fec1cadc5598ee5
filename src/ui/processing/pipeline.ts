// The processing flow of the page (method.md §2–§5 across a session): every photo is processed in
// the pool, the first one gets provisional clusters at once, the batch end refits them over all.
import { newClusterTable, type ClusterTable } from '../../core/session/cluster-table';
import { sharedSessionDb } from '../../storage/session-db';
import { getClusterTable, putClusterTable } from '../../storage/session-records';
import * as Comlink from 'comlink';
import type { ClusterSummary, EarlyRegions, LabelSummary, ProcessOptions } from '../../../workers/backbone-api';
import { transferables } from '../../core/transferables';
import { pageConfig } from '../config';
import { PROPOSAL_DEFAULTS } from '../../core/pipeline/instance-proposals';
import { pixelStore } from '../state/pixel-store';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { useAdapt } from '../state/adapt-store';
import { useSemantic } from '../state/semantic-store';
import { applyHeadTo, restoreHead } from './adapt';
import { captureClasses, carryInto } from './keep-classes';
import { JobCancelled, type BackboneClient } from './backbone-client';
import { JobQueue } from './queue';
import { loadModel, readyPool, readySegmenters } from './session';
import { photosInFlight } from './worker-pool';
import { markMoment } from './timeline';

const queue = new JobQueue({
  onCancelled: (id) => markCancelled(id),
  onError: (id, err) => fail(id, err),
});
/** True while the session's clusters come from the first photo only. */
let provisional = false;
/** The user cancelled the batch: its end refits nothing (the next batch does). */
let cancelled = false;

function processOptions(): ProcessOptions {
  const { refine } = pageConfig();
  const { proposals } = useApp.getState();
  // The multi-view stage keeps up to PROPOSAL_DEFAULTS.maxProposals masks; MaskCut its N = 3.
  return { refine, proposals, maxMasks: proposals === 'multi' ? PROPOSAL_DEFAULTS.maxProposals : 3 };
}

/** A photo whose processing the user's Cancel dropped or stopped: shown as such, never as a failure. */
function markCancelled(id: string): void {
  useSeg.getState().setStage(id, 'error');
  useApp.getState().updateImage(id, { status: 'error', error: 'cancelled' });
}

function fail(id: string, err: unknown): void {
  if (err instanceof JobCancelled) {
    markCancelled(id);
    return;
  }
  const text = (err as Error).message ?? String(err);
  useSeg.getState().setStage(id, 'error');
  useApp.getState().updateImage(id, { status: 'error', error: text });
  useApp.getState().notify('error', text);
}

function applyClusters(summary: ClusterSummary, table?: ClusterTable): void {
  useSeg.getState().setClusters({ thingK: summary.thingK, stuffK: summary.stuffK, version: summary.version }, table);
}

function applyLabel(label: LabelSummary): void {
  const seg = useSeg.getState();
  seg.setSegments(label.id, label.segments);
  seg.setStage(label.id, 'labelled');
}

/** New clusters become the session's, with the user's classes carried into them. */
async function adoptFit(summary: ClusterSummary): Promise<void> {
  const carried = carryInto(newClusterTable(Math.max(summary.thingK, 1), summary.stuffK));
  applyClusters(summary, carried?.table);
  await carried?.finish();
}

type WorkerApi = BackboneClient['api'];

async function fit(ids: string[]): Promise<void> {
  const seg = useSeg.getState();
  seg.setProgress({ phase: 'clustering' });
  const pool = await readySegmenters();
  await adoptFit(await pool.use((api) => api.cluster(ids, { thingK: seg.thingK ?? undefined, seed: 0 })));
}

async function label(id: string): Promise<void> {
  useSeg.getState().setStage(id, 'labelling');
  const pool = await readySegmenters();
  applyLabel(await pool.use((api) => api.label(id)));
}

/** The photo whose regions were shown before its masks existed; its clusters are fitted again once they do. */
let regionsFirst: string | null = null;

/**
 * The session's first photo, clustered and labelled by the worker from its first backbone passes:
 * its regions are painted while the other passes, MaskCut and the CRF run (issue 13: the first
 * overlay waits for half the backbone only).
 */
async function showRegions(id: string, regions: EarlyRegions): Promise<void> {
  if (regionsFirst !== id || cancelled) return;
  await adoptFit(regions.clusters);
  markMoment('clustered', regions.timingsMs);
  useSeg.getState().setSegments(id, regions.label.segments);
  markMoment('labelled');
}

/**
 * Decode and backbone (the first photo's regions on the way) on a model worker, then masks: on a
 * segmenting worker, so that the model's worker embeds the next photo meanwhile, or on the same
 * worker (?overlap=off), which holds the photo between the two calls.
 */
async function embedAndSegment(id: string, file: File, signal: AbortSignal) {
  const options = processOptions();
  const early = pageConfig().regionsFirst && !useSeg.getState().clusters && regionsFirst === null && !signal.aborted;
  if (early) {
    regionsFirst = id;
    provisional = true;
  }
  const onRegions = early ? Comlink.proxy((regions: EarlyRegions) => void showRegions(id, regions)) : undefined;
  const pool = await readyPool();
  const segmenters = await readySegmenters();
  const embed = async (api: WorkerApi) => {
    const embedded = await api.embed(id, file, options, onRegions);
    markMoment('embedded', embedded.timingsMs);
    pixelStore.setFeatures(id, embedded.view);
    useSeg.getState().setStage(id, 'segmenting');
  };
  markMoment('process-start');
  if (segmenters === pool) return pool.use(async (api) => (await embed(api), api.segment(id, file, options)));
  const embedded = await pool.use(async (api) => (await embed(api), api.takeEmbedded(id)));
  return segmenters.use((api) => api.segmentEmbedded(Comlink.transfer(embedded, transferables(embedded)), options));
}

async function processOne(id: string, file: File, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return markCancelled(id);
  const { updateImage } = useApp.getState();
  useSeg.getState().setStage(id, 'processing');
  updateImage(id, { status: 'running', error: undefined });
  try {
    const { summary, view } = await embedAndSegment(id, file, signal);
    markMoment('processed', summary.timingsMs);
    pixelStore.setFeatures(id, view);
    updateImage(id, { status: 'done', sizeHW: summary.sizeHW, gridHW: [view.gridH, view.gridW], timingsMs: summary.timingsMs });
    // Processed but not labelled: its pass is stored, a later run labels it without the backbone.
    if (signal.aborted) return markCancelled(id);
    if (!useSeg.getState().clusters || regionsFirst === id) {
      regionsFirst = null;
      provisional = true;
      await fit([id]);
    }
    await label(id);
    markMoment('final-labelled');
    await applyHeadTo([id]);
  } catch (err) {
    fail(id, err);
  } finally {
    if (regionsFirst === id) regionsFirst = null;
    const p = useSeg.getState().progress;
    useSeg.getState().setProgress({ done: p.done + 1, phase: 'processing' });
  }
}

export function processedIds(): string[] {
  const stages = useSeg.getState().stageById;
  return useApp.getState().images.filter((im) => stages[im.id] === 'labelled' || stages[im.id] === 'labelling').map((im) => im.id);
}

/** Refits clusters over every processed photo (optionally with another K) and labels them again. */
export async function recluster(thingK?: number | null): Promise<void> {
  const seg = useSeg.getState();
  if (thingK !== undefined) seg.setThingK(thingK);
  const ids = processedIds();
  if (!ids.length) return;
  try {
    await captureClasses();
    await fit(ids);
  } catch (err) {
    useApp.getState().notify('error', `Clustering failed: ${(err as Error).message}`);
    return;
  }
  relabel(ids);
}

/**
 * Clusters fitted elsewhere (the semantic worker's refit on STEGO codes) become the session's: the
 * user's classes are carried as a re-cluster carries them, and every photo is labelled again.
 */
export async function adoptClusters(summary: ClusterSummary): Promise<void> {
  await captureClasses();
  await adoptFit(summary);
  relabel(processedIds());
}

function relabel(ids: string[]): void {
  cancelled = false;
  const seg = useSeg.getState();
  seg.setProgress({ done: 0, total: ids.length, phase: 'labelling' });
  queue.push(...ids.map((id) => ({ id, run: async (signal: AbortSignal) => {
    if (signal.aborted) return;
    await label(id).catch((err: unknown) => fail(id, err));
    const p = useSeg.getState().progress;
    useSeg.getState().setProgress({ done: p.done + 1 });
  } })));
}

const settledListeners: (() => void)[] = [];

/** Calls fn whenever every queued photo is processed and labelled with the final clusters. */
export function onSessionSettled(fn: () => void): void {
  settledListeners.push(fn);
}

queue.onIdle(() => {
  const seg = useSeg.getState();
  if (cancelled) {
    seg.setProgress({ phase: 'idle' });
    return;
  }
  if (provisional && seg.undoStack.length === 0 && processedIds().length > 1) {
    provisional = false;
    void recluster();
    return;
  }
  provisional = false;
  seg.setProgress({ phase: 'idle' });
  settledListeners.forEach((fn) => fn());
});

export function processPhotos(items: { id: string; file: File }[]): void {
  if (!items.length) return;
  cancelled = false;
  const seg = useSeg.getState();
  items.forEach(({ id }) => seg.setStage(id, 'queued'));
  const p = seg.progress;
  seg.setProgress(p.phase === 'idle' ? { done: 0, total: items.length, phase: 'processing' } : { total: p.total + items.length, phase: 'processing' });
  void Promise.all([readyPool(), readySegmenters()]).then(([pool, segmenters]) => (queue.concurrency = photosInFlight(pool.size, segmenters === pool ? 0 : segmenters.size, pageConfig().aheadPhotos)), () => undefined);
  queue.push(...items.map(({ id, file }) => ({ id, run: (signal: AbortSignal) => processOne(id, file, signal) })));
}

/** Photos of a previous visit: their stored results come back without work, the rest is processed. */
export async function resumePhotos(items: { id: string; file: File }[]): Promise<void> {
  const pool = await readyPool();
  const stored = await pool.use((api) => api.storedClusters());
  if (stored) {
    const table = await getClusterTable(await sharedSessionDb());
    applyClusters(stored, table?.version === stored.version ? table.table : undefined);
  }
  const todo: typeof items = [];
  for (const item of items) {
    // Photos made with another proposal stage or refinement than the page asks for are made again.
    const found = await pool.use((api) => api.restore(item.id, processOptions()));
    if (!found) {
      todo.push(item);
      continue;
    }
    pixelStore.setFeatures(item.id, found.view);
    useApp.getState().updateImage(item.id, { status: 'done', sizeHW: found.summary.sizeHW, gridHW: [found.view.gridH, found.view.gridW], timingsMs: found.summary.timingsMs });
    if (found.label) applyLabel(found.label);
    else todo.push(item);
  }
  await restoreHead(items.map((i) => i.id)).catch((err: unknown) =>
    useApp.getState().notify('error', `Your adapted head could not be restored: ${(err as Error).message}. Its file export, if you made one, can be loaded again.`));
  processPhotos(todo);
}

/**
 * Processes every photo again after `change` (another model, another proposal stage), carrying the
 * user's classes into the new clusters. When they cannot be kept, nothing changes and `refusal`
 * starts the message that says so.
 */
export async function remakePhotos(refusal: string, change: () => Promise<void>): Promise<void> {
  cancelProcessing({ quiet: true });
  try {
    await captureClasses();
  } catch (err) {
    // Going on would renumber the clusters without carrying the user's classes: do not.
    useApp.getState().notify('error', `${refusal}: your classes and labels could not be kept (${(err as Error).message}).`);
    return;
  }
  await change();
  useSeg.getState().reset();
  const items = useApp.getState().images.flatMap((im) => {
    const file = pixelStore.get(im.id)?.file;
    return file ? [{ id: im.id, file }] : [];
  });
  processPhotos(items);
}

/** Loads another backbone and processes every photo again with it. */
export function switchModel(modelId: string): Promise<void> {
  return remakePhotos('The model was not switched', async () => {
    await loadModel(modelId);
    useAdapt.getState().reset(); // the head reads another model's features; a reload finds it again for that model
    useSemantic.getState().reset();
  });
}

/**
 * The user's Cancel (Esc): queued photos are dropped, the workers busy on a photo are stopped and
 * replaced (their photos are marked cancelled), and a message says what was kept.
 */
export function cancelProcessing(opts: { quiet?: boolean } = {}): void {
  cancelled = true;
  const { dropped, running } = queue.cancel();
  const stopped = running.length + dropped.length;
  void Promise.all([readyPool(), readySegmenters()]).then((pools) => new Set(pools).forEach((p) => p.cancelAll()), () => 0);
  useSeg.getState().setProgress({ phase: 'idle' });
  if (opts.quiet || !stopped) return;
  const kept = processedIds().length;
  useApp.getState().notify('info', `Cancelled: ${stopped} photo${stopped === 1 ? '' : 's'} not processed (marked "cancelled"; drop them again to process them); ${kept} labelled photo${kept === 1 ? '' : 's'} kept.`);
}

/** Keeps the user's names, colours and merges in IndexedDB with the clusters they belong to. */
useSeg.subscribe((s, prev) => {
  if (s.table === prev.table || !s.clusters) return;
  const version = s.clusters.version;
  // One connection for the page: an edit is a write, never a new connection.
  void sharedSessionDb()
    .then((db) => putClusterTable(db, { version, table: s.table }))
    .catch((err: unknown) => useApp.getState().notify('error', `Your cluster names and merges were not saved: ${(err as Error).message}`));
});
