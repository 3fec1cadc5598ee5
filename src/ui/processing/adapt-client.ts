// The UI side of the adaptation worker: one instance for the page, replaced if it dies.
import * as Comlink from 'comlink';
import type { AdaptWorkerApi } from '../../../workers/adapt-api';
import { pageConfig } from '../config';
import { watchForCrash } from './worker-crash';

let api: Comlink.Remote<AdaptWorkerApi> | null = null;
let worker: Worker | null = null;
let crashed: Promise<never> = new Promise<never>(() => {});

export function adaptWorker(): Comlink.Remote<AdaptWorkerApi> {
  if (api) return api;
  // The name carries ?debug to the worker (Vite needs static worker options, hence two calls).
  const started = pageConfig().debug
    ? new Worker(new URL('../../../workers/adapt.worker.ts', import.meta.url), { type: 'module', name: 'adapt debug' })
    : new Worker(new URL('../../../workers/adapt.worker.ts', import.meta.url), { type: 'module', name: 'adapt' });
  worker = started;
  ({ crashed } = watchForCrash(
    started,
    (why) => `the adaptation worker stopped (${why}); try fewer photos or a linear head`,
    () => {
      // An uncaught error leaves a worker running in an unknown state: stop it; the next call starts a fresh one.
      started.terminate();
      if (worker === started) {
        worker = null;
        api = null;
      }
    },
  ));
  api = Comlink.wrap<AdaptWorkerApi>(started);
  return api;
}

/** Rejects when the current adaptation worker dies; race long calls against it. */
export function adaptWorkerCrashed(): Promise<never> {
  return crashed;
}

/** Stops the worker mid-job (a cancel where no shared cancel flag can reach it). */
export function restartAdaptWorker(): void {
  worker?.terminate();
  worker = null;
  api = null;
}
