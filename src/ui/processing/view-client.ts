// The UI side of the view worker (overlays, hover, export): one instance for the page.
import * as Comlink from 'comlink';
import type { ViewWorkerApi } from '../../../workers/view-api';

let api: Comlink.Remote<ViewWorkerApi> | null = null;

export function viewWorker(): Comlink.Remote<ViewWorkerApi> {
  api ??= Comlink.wrap<ViewWorkerApi>(new Worker(new URL('../../../workers/view.worker.ts', import.meta.url), { type: 'module' }));
  return api;
}
