// The UI side of the semantic worker: one instance for the page, replaced if it dies or is stopped.
import * as Comlink from 'comlink';
import type { SemanticWorkerApi } from '../../../workers/semantic-api';
import { pageConfig } from '../config';
import { watchForCrash } from './worker-crash';

let api: Comlink.Remote<SemanticWorkerApi> | null = null;
let worker: Worker | null = null;
let crashed: Promise<never> = new Promise<never>(() => {});

export function semanticWorker(): Comlink.Remote<SemanticWorkerApi> {
  if (api) return api;
  // The name carries ?debug to the worker (its test hooks); each branch a literal for the bundler.
  const started = pageConfig().debug
    ? new Worker(new URL('../../../workers/semantic.worker.ts', import.meta.url), { type: 'module', name: 'semantic debug' })
    : new Worker(new URL('../../../workers/semantic.worker.ts', import.meta.url), { type: 'module', name: 'semantic' });
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
