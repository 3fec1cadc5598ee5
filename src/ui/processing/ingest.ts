// Everything a user drops or picks enters here: one validation path (sniff by content) routes
// photos to the session, models to the model import, and refuses the rest with a reason.
import { sniff } from '../../core/input/sniff';
import { clearSession as clearStore, listImages, putImage, sharedSessionDb } from '../../storage/session-db';
import { pixelStore } from '../state/pixel-store';
import { useAdapt } from '../state/adapt-store';
import { useSemantic } from '../state/semantic-store';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { importGroundTruth, restoreGroundTruth } from './ground-truth';
import { importModelFile } from './model-import';
import { cancelProcessing, processPhotos, resumePhotos } from './pipeline';
import { restoreSemantic } from './semantic';
import { markMoment, resetMoments } from './timeline';

const sessionDb = sharedSessionDb;

async function head(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, 64).arrayBuffer());
}

function list(items: { id: string; file: File }[]): void {
  items.forEach(({ id, file }) => pixelStore.put(id, file));
  useApp.getState().addImages(items.map(({ id, file }) => ({ id, name: file.name, status: 'queued' as const })));
}

export async function ingestFiles(files: File[]): Promise<void> {
  const { notify } = useApp.getState();
  resetMoments();
  markMoment('drop');
  const accepted: { id: string; file: File }[] = [];
  for (const file of files) {
    const kind = sniff(await head(file), file.name);
    if (kind.kind === 'image') accepted.push({ id: crypto.randomUUID(), file });
    else if (kind.kind === 'unknown') notify('error', `${file.name} was not added: ${kind.reason}.`);
    else if (kind.kind === 'json') void importGroundTruth(file);
    else void importModelFile(file, kind.kind);
  }
  if (!accepted.length) return;
  try {
    const store = await sessionDb();
    const now = Date.now();
    await Promise.all(accepted.map(({ id, file }, i) => putImage(store, { id, name: file.name, blob: file, addedAt: now + i })));
  } catch (err) {
    notify('error', `Photos are shown but not saved for the next visit (browser storage refused: ${(err as Error).message}).`);
  }
  markMoment('stored');
  list(accepted);
  processPhotos(accepted);
}

/** Brings back the previous visit's photos (IndexedDB) and, where stored, their results. */
export async function restoreSession(): Promise<void> {
  try {
    const stored = await listImages(await sessionDb());
    const items = stored.map((s) => ({ id: s.id, file: new File([s.blob], s.name, { type: s.blob.type }) }));
    list(items);
    void restoreGroundTruth();
    if (items.length) await restoreSemantic().catch(() => undefined);
    await resumePhotos(items);
  } catch (err) {
    useApp.getState().notify('error', `The previous session could not be restored: ${(err as Error).message}`);
  }
}

/** Forgets every photo, result and edit (the UI asks the user first). */
export async function clearSession(): Promise<void> {
  cancelProcessing({ quiet: true });
  await clearStore(await sessionDb());
  useApp.getState().images.forEach((im) => pixelStore.delete(im.id));
  useApp.setState({ images: [], selectedId: null });
  useSeg.getState().reset();
  useAdapt.getState().reset();
  useSemantic.getState().reset();
}
