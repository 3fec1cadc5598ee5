// One phase-1 worker thread (phase1-pool.ts): its own backbone session and CRF kernels; it takes
// one photo at a time from the pool, writes the photo's cache entry and says how it went.
import { parentPort, workerData } from 'node:worker_threads';
import { setDenseCrfWasm } from '../core/pipeline/dense-crf';
import { loadDenseCrfWasm } from '../runtime/dense-crf-wasm-node';
import { openNodeBackbone } from '../runtime/ort-node';
import { recordFailure, writeEntry } from './cache';
import { processImageFile, type ImageStageOptions } from './image-stage';
import type { Phase1ThreadData, Phase1ToPool, Phase1ToThread } from './phase1-pool';

const data = workerData as Phase1ThreadData;
const port = parentPort;
if (!port) throw new Error('phase1-thread.ts runs as a worker thread of phase1-pool.ts');

if (data.denseCrf === 'ts') setDenseCrfWasm(null);
// The main thread built the kernels if they were stale; a thread only loads them.
else await loadDenseCrfWasm({ build: false, log: () => {} });
const session = await openNodeBackbone(data.manifestPath, data.threads);
const send = (m: Phase1ToPool) => port.postMessage(m);

port.on('message', (m: Phase1ToThread) => {
  if (m.type === 'stop') {
    void session.release().finally(() => port.close());
    return;
  }
  void (async () => {
    try {
      const entry = await processImageFile(session, m.key, m.absPath, data.stage as ImageStageOptions);
      await writeEntry(data.cacheDir, entry);
      send({ type: 'done', key: m.key, timingsMs: { ...entry.meta.timingsMs } });
    } catch (err) {
      const error = (err as Error).message;
      await recordFailure(data.cacheDir, m.key, error);
      send({ type: 'done', key: m.key, error });
    }
  })();
});
send({ type: 'ready' });
