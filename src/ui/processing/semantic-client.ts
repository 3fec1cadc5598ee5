// The UI side of the semantic worker: one instance for the page, replaced if it dies or is stopped.
import * as Comlink from 'comlink';
import type { SemanticWorkerApi } from '../../../workers/semantic-api';
import { watchForCrash } from './worker-crash';

let api: Comlink.Remote<SemanticWorkerApi> | null = null;
let worker: Worker | null = null;
let crashed: Promise<never> = new Promise<never>(() => {});

export function semanticWorker(): Comlink.Remote<SemanticWorkerApi> {
  if (api) return api;
  const started = new Worker(new URL('../../../workers/semantic.worker.ts', import.meta.url), { type: 'module' });
  worker = started;
  ({ crashed } = watchForCrash(
    started,
    (why) => `the semantic training worker stopped (${why}); the k-means clusters stay`,
    () => {
      started.terminate();
      if (worker === started) restartSemanticWorker();
    },
  ));
  api = Comlink.wrap<SemanticWorkerApi>(started);
  return api;
}

/** Rejects when the current semantic worker dies. */
export function semanticWorkerCrashed(): Promise<never> {
  return crashed;
}

export function restartSemanticWorker(): void {
  worker?.terminate();
  worker = null;
  api = null;
}
