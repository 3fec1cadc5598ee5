// The UI side of the backbone worker: starts it, wraps it with comlink, and turns a crashed worker
// into a rejected call with a message instead of a promise that never settles.
import * as Comlink from 'comlink';
import type { BackboneWorkerApi } from '../../../workers/backbone-api';
import { pageConfig } from '../config';
import { watchForCrash } from './worker-crash';

export interface BackboneClient {
  api: Comlink.Remote<BackboneWorkerApi>;
  /** Rejects when the worker dies (crash, out of memory); race calls against it. */
  crashed: Promise<never>;
  isDead(): boolean;
  terminate(): void;
}

export function startBackboneWorker(): BackboneClient {
  // The name carries ?debug to the worker (Vite needs static worker options, hence two calls).
  const worker = pageConfig().debug
    ? new Worker(new URL('../../../workers/backbone.worker.ts', import.meta.url), { type: 'module', name: 'backbone debug' })
    : new Worker(new URL('../../../workers/backbone.worker.ts', import.meta.url), { type: 'module', name: 'backbone' });
  const { crashed, isDead } = watchForCrash(worker, (why) => `a processing worker stopped (${why}); a fresh worker has taken over and the session goes on`);
  return { api: Comlink.wrap<BackboneWorkerApi>(worker), crashed, isDead, terminate: () => worker.terminate() };
}

/** Calls the worker but fails fast if it has died meanwhile. */
export function guarded<T>(client: BackboneClient, call: Promise<T>): Promise<T> {
  return Promise.race([call, client.crashed]);
}
