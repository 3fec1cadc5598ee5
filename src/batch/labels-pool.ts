// Phase 2's labels on several threads (method.md §4–§5 per photo): each thread labels the next
// cached photo while this one writes the finished ones, in photo order, so the outputs are the
// same whatever the number of threads (tests/batch/segment.test.ts compares them for --jobs 1 and 2).
import type { Worker } from 'node:worker_threads';
import type { SessionClusters } from '../core/pipeline/session-clusters';
import type { PassConfig } from './cache';
import type { OutputCategories } from './outputs';
import { labelCachedPhoto, type PhotoLabels, type PhotoToLabel } from './photo-labels';
import { startTsThread } from './ts-thread';

export interface LabelsThreadData {
  dir: string;
  config: PassConfig;
  clusters: SessionClusters;
  categories: OutputCategories;
}

export type LabelsToThread = { type: 'photo'; index: number; photo: PhotoToLabel };
export type LabelsToPool = { type: 'ready' } | { type: 'done'; index: number; labels: PhotoLabels } | { type: 'failed'; index: number; error: string };

const THREAD = new URL('./labels-thread.ts', import.meta.url);

/**
 * Labels and encodes every photo on `jobs` threads, or here when jobs is 1, and calls `write` for
 * each in order; resolves once all are written.
 */
export async function labelPhotos(data: LabelsThreadData, photos: readonly PhotoToLabel[], jobs: number, write: (index: number, labels: PhotoLabels) => Promise<void>): Promise<void> {
  if (jobs <= 1 || photos.length < 2) {
    for (let i = 0; i < photos.length; i++) await write(i, await labelCachedPhoto(data.dir, data.config, data.clusters, data.categories, photos[i]));
    return;
  }
  const workers = Array.from({ length: Math.min(jobs, photos.length) }, () => startTsThread(THREAD, data));
  try {
    await new Promise<void>((resolve, reject) => {
      const done = new Map<number, PhotoLabels>();
      const idle: Worker[] = [];
      let sent = 0, written = 0, writing = false;
      // Encoded photos wait here until their turn to be written: at most two per thread.
      const feed = () => {
        while (idle.length && sent < photos.length && sent - written < 2 * workers.length) {
          (idle.pop() as Worker).postMessage({ type: 'photo', index: sent, photo: photos[sent] } satisfies LabelsToThread);
          sent++;
        }
      };
      const flush = async () => {
        if (writing) return; // the running flush picks up what arrives while it writes
        writing = true;
        try {
          for (let labels = done.get(written); labels; labels = done.get(written)) {
            done.delete(written);
            await write(written, labels);
            written++;
            feed();
          }
          if (written === photos.length) resolve();
        } catch (err) {
          reject(err);
        } finally {
          writing = false;
        }
      };
      for (const w of workers) {
        w.on('message', (m: LabelsToPool) => {
          if (m.type === 'failed') return reject(new Error(`labelling ${photos[m.index].meta.key} failed: ${m.error}`));
          if (m.type === 'done') done.set(m.index, m.labels);
          idle.push(w);
          feed();
          if (m.type === 'done') void flush();
        });
        w.on('error', (err) => reject(new Error(`a phase-2 labels thread failed: ${err.message}`)));
        w.on('exit', (code) => code !== 0 && reject(new Error(`a phase-2 labels thread exited with code ${code}`)));
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
