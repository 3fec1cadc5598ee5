// The UI side of the backbone worker: starts it, wraps it with comlink, and turns a crashed or
// stopped worker into a rejected call with a message instead of a promise that never settles.
import * as Comlink from 'comlink';
import type { BackboneWorkerApi } from '../../../workers/backbone-api';
import { pageConfig } from '../config';
import { watchForCrash } from './worker-crash';

/** The rejection of a call whose worker the user's Cancel stopped. */
export class JobCancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelled';
  }
}

export interface BackboneClient {
  api: Comlink.Remote<BackboneWorkerApi>;
  /** Rejects when the worker dies (crash, out of memory); race calls against it. */
  crashed: Promise<never>;
  isDead(): boolean;
  /** Terminates the worker; a call in flight rejects with JobCancelled. */
  stop(): void;
  terminate(): void;
}

export function startBackboneWorker(): BackboneClient {
  // The name carries ?debug to the worker (Vite needs static worker options, hence two calls).
  const worker = pageConfig().debug
    ? new Worker(new URL('../../../workers/backbone.worker.ts', import.meta.url), { type: 'module', name: 'backbone debug' })
    : new Worker(new URL('../../../workers/backbone.worker.ts', import.meta.url), { type: 'module', name: 'backbone' });
  const { crashed, isDead } = watchForCrash(worker, (why) => `a processing worker stopped (${why}); a fresh worker has taken over and the session goes on`);
  let stopped = false;
  let rejectStopped: (err: Error) => void = () => {};
  const whenStopped = new Promise<never>((_, reject) => (rejectStopped = reject));
  whenStopped.catch(() => {});
  return {
    api: Comlink.wrap<BackboneWorkerApi>(worker),
    crashed: Promise.race([crashed, whenStopped]),
    isDead: () => stopped || isDead(),
    stop: () => {
      stopped = true;
      worker.terminate();
      rejectStopped(new JobCancelled());
    },
    terminate: () => worker.terminate(),
  };
}

/** Calls the worker but fails fast if it has died or been stopped meanwhile. */
export function guarded<T>(client: BackboneClient, call: Promise<T>): Promise<T> {
  return Promise.race([call, client.crashed]);
}
