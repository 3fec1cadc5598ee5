// The UI side of the adaptation worker: one instance for the page, replaced if it dies.
import * as Comlink from 'comlink';
import type { AdaptWorkerApi } from '../../../workers/adapt-api';

let api: Comlink.Remote<AdaptWorkerApi> | null = null;
let worker: Worker | null = null;
let crashed: Promise<never> = new Promise<never>(() => {});

export function adaptWorker(): Comlink.Remote<AdaptWorkerApi> {
  if (api) return api;
  worker = new Worker(new URL('../../../workers/adapt.worker.ts', import.meta.url), { type: 'module' });
  let onCrash: (err: Error) => void = () => {};
  crashed = new Promise<never>((_, reject) => {
    onCrash = reject;
  });
  crashed.catch(() => {});
  const started = worker;
  started.addEventListener('error', (e) => {
    e.preventDefault();
    // An uncaught error leaves a worker running in an unknown state: stop it; the next call starts a fresh one.
    started.terminate();
    if (worker === started) {
      worker = null;
      api = null;
    }
    onCrash(new Error(`the adaptation worker stopped (${e.message || 'it crashed or ran out of memory'}); try fewer photos or a linear head`));
  });
  api = Comlink.wrap<AdaptWorkerApi>(worker);
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
