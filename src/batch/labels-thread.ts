// One phase-2 labels thread (labels-pool.ts): labels the cached photos it is sent under the
// session's clusters, one at a time, and hands their encoded outputs back (the PNGs transferred).
import { parentPort, workerData } from 'node:worker_threads';
import type { LabelsThreadData, LabelsToPool, LabelsToThread } from './labels-pool';
import { encodedBuffers } from './outputs';
import { labelCachedPhoto } from './photo-labels';

const data = workerData as LabelsThreadData;
const port = parentPort;
if (!port) throw new Error('labels-thread.ts runs as a worker thread of labels-pool.ts');

// The pool terminates its threads once every photo is written: no stop message.
port.on('message', (m: LabelsToThread) => {
  labelCachedPhoto(data.dir, data.config, data.clusters, data.categories, m.photo).then(
    (labels) => port.postMessage({ type: 'done', index: m.index, labels } satisfies LabelsToPool, encodedBuffers(labels)),
    (err: unknown) => port.postMessage({ type: 'failed', index: m.index, error: (err as Error).message } satisfies LabelsToPool),
  );
});
port.postMessage({ type: 'ready' } satisfies LabelsToPool);
