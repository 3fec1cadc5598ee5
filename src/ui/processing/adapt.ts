// The adaptation flow of the page (method.md §6): train the head in the adapt worker with progress
// and cancel, show its labels, export and load head files, keep it across reloads and re-clusters.
import * as Comlink from 'comlink';
import { planNamedClasses } from '../../core/session/class-plan';
import type { AdaptProgress, AppliedLabels, HeadSummary } from '../../../workers/adapt-api';
import { download } from '../features/export/download';
import { useAdapt } from '../state/adapt-store';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { adaptWorker, adaptWorkerCrashed, restartAdaptWorker } from './adapt-client';
import { cancellableJobs } from './cancellable';
import { viewWorker } from './view-client';

const jobs = cancellableJobs(adaptWorkerCrashed, restartAdaptWorker);

/** Photos the head can learn from and label: processed and labelled by the pipeline. */
export function labelledPhotoIds(): string[] {
  const stages = useSeg.getState().stageById;
  return useApp.getState().images.filter((im) => stages[im.id] === 'labelled').map((im) => im.id);
}

const onProgress = Comlink.proxy((p: AdaptProgress) => useAdapt.getState().setProgress(p));

function showHead(summary: HeadSummary, applied: AppliedLabels[]): void {
  const a = useAdapt.getState();
  a.setSummary(summary);
  a.putHeadSegments(applied, true);
  a.setSource('head');
}

export async function startAdapt(): Promise<void> {
  const a = useAdapt.getState();
  const ids = labelledPhotoIds();
  if (a.running) return;
  if (!ids.length) {
    useApp.getState().notify('error', 'No photo is labelled yet: wait for the pipeline to label some first.');
    return;
  }
  a.setRunning(true);
  a.setProgress({ phase: 'preparing', round: 1, rounds: a.options.rounds, done: 0, total: ids.length });
  try {
    const request = { ...a.options, ids, table: useSeg.getState().table, seed: 0 };
    const result = await jobs.run((flag) => adaptWorker().train(request, flag, onProgress));
    if (!result) {
      useApp.getState().notify('info', 'Adaptation cancelled.');
      return;
    }
    showHead(result.summary, result.applied);
    // Photos labelled by the pipeline while the head trained were left out of its list.
    await applyHeadTo(labelledPhotoIds().filter((id) => !ids.includes(id)));
    const r = result.summary.rounds.at(-1);
    const acc = r?.userAgreement != null ? `, ${(100 * r.userAgreement).toFixed(0)} % of your labelled patches right` : '';
    useApp.getState().notify('info', `${result.summary.stopped ? 'Stopped early; the head keeps what it learnt' : 'Adapted'}: ${result.summary.classes.length} classes on ${result.applied.length} photos${acc}.`);
  } catch (err) {
    useApp.getState().notify('error', `Adaptation failed: ${(err as Error).message}`);
  } finally {
    useAdapt.getState().setRunning(false);
    useAdapt.getState().setProgress(null);
  }
}

export function cancelAdapt(): void {
  jobs.cancel();
}

/** The head as a JSON file, its classes named as the legend names them now. */
export async function exportHead(): Promise<void> {
  const summary = useAdapt.getState().summary;
  if (!summary) return;
  const table = useSeg.getState().table;
  const names = summary.classes.map((c) => table[c.categoryId]?.name ?? c.name);
  try {
    download(await adaptWorker().exportHead(names), 'u2seg-head.json', 'application/json');
  } catch (err) {
    useApp.getState().notify('error', `Head export failed: ${(err as Error).message}`);
  }
}

/** Installs head-file bytes: classes matched to the legend by name (missing ones added), then applied. */
async function install(bytes: Uint8Array, ids: string[]): Promise<HeadSummary> {
  const parsed = await adaptWorker().parseHeadFile(bytes);
  const plan = planNamedClasses(useSeg.getState().table, parsed.names.map((name, i) => ({ name, kind: parsed.kinds[i] })));
  if (plan.edits.length) useSeg.getState().edit(plan.edits); // one undoable step; throws a message if refused
  const { summary, applied } = await adaptWorker().installHead(bytes, plan.categoryIds, ids, onProgress);
  showHead(summary, applied);
  return summary;
}

export async function importHeadFile(file: File): Promise<void> {
  const { notify } = useApp.getState();
  try {
    const summary = await install(new Uint8Array(await file.arrayBuffer()), labelledPhotoIds());
    const shown = Object.keys(useAdapt.getState().headSegmentsById).length;
    notify('info', `Loaded the head from ${file.name}: ${summary.classes.length} classes${shown ? `, ${shown} photos relabelled` : ''}.`);
    if (!shown && labelledPhotoIds().length) notify('error', `The head from ${file.name} fits none of these photos: it was trained on features of another model.`);
  } catch (err) {
    notify('error', `${file.name} was not loaded as a head: ${(err as Error).message}`);
  } finally {
    useAdapt.getState().setProgress(null);
  }
}

export async function removeHead(): Promise<void> {
  await adaptWorker().removeHead();
  useAdapt.getState().reset();
}

/** A head whose classes were renumbered (re-clustering carried them over): installed again, relabelling. */
export async function reinstallHead(bytes: Uint8Array, categoryIds: number[]): Promise<void> {
  const { summary, applied } = await adaptWorker().installHead(bytes, categoryIds, labelledPhotoIds());
  showHead(summary, applied);
}

/** New photos get the head's labels too once the pipeline has labelled them. */
export async function applyHeadTo(ids: string[]): Promise<void> {
  if (!useAdapt.getState().summary || !ids.length) return;
  try {
    useAdapt.getState().putHeadSegments(await adaptWorker().apply(ids), false);
  } catch (err) {
    useApp.getState().notify('error', `The adapted head could not label new photos: ${(err as Error).message}`);
  }
}

/** A reload: the saved head and its labels come back without predicting again. */
export async function restoreHead(ids: string[]): Promise<void> {
  const summary = await adaptWorker().headSummary();
  if (!summary) return;
  useAdapt.getState().setSummary(summary);
  useAdapt.getState().putHeadSegments(await adaptWorker().headSegments(ids), true);
}

/** The view worker paints what the user chose to see. */
useAdapt.subscribe((s, prev) => {
  if (s.source !== prev.source) void viewWorker().setLabelSource(s.source);
});
