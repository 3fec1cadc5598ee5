// The semantic worker: trains STEGO's head (method.md §4) on the session's tokens off the page's
// thread and the backbone pool's (on WebGPU where it can: semantic-trainer.ts), stopping at the
// next progress report when the page asks.
import * as Comlink from 'comlink';
import { sharedSessionDb } from '../src/storage/session-db';
import type { SemanticWorkerApi } from './semantic-api';
import { requireDebug } from './debug';
import { storedSemanticSummary, trainSemanticHead } from './semantic-jobs';
import { benchmarkStego } from './stego-bench';

const db = sharedSessionDb;

const api: SemanticWorkerApi = {
  async train(request, cancelFlag, onProgress) {
    const shouldStop = () => (cancelFlag ? Atomics.load(cancelFlag, 0) === 1 : false);
    return trainSemanticHead(await db(), request, shouldStop, onProgress);
  },
  async summary() {
    return storedSemanticSummary(await db());
  },
  async benchmarkTraining(spec) {
    requireDebug('benchmarkTraining');
    return benchmarkStego(spec);
  },
};

Comlink.expose(api);
