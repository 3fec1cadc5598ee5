// STEGO's helper thread (stego-threads.ts): attached to a run's shared step arrays, it runs shard 1
// of every phase it is signalled, until it is detached, and then waits for the next run.
import { parentPort, workerData } from 'node:worker_threads';
import { allocStepShared, STEP_PHASES, StepShard } from '../core/stego/step-shards';
import { DETACH, SLOT, type StegoThreadData, type ToStegoThread } from './stego-threads';

const { control, failAt } = workerData as StegoThreadData;
const port = parentPort;
if (!port) throw new Error('stego-thread.ts runs as a worker thread of stego-threads.ts');

function failed(err: unknown): void {
  console.error(`STEGO's helper thread: ${(err as Error).stack ?? String(err)}`);
  Atomics.store(control, SLOT.failed, 1);
}

function serve(m: ToStegoThread): void {
  let seen = Atomics.load(control, SLOT.seq);
  let shard: StepShard | null = null;
  try {
    shard = new StepShard(m.settings, m.shape, allocStepShared(m.settings, m.shape, () => m.buffer), 1);
  } catch (err) {
    failed(err);
  }
  Atomics.store(control, SLOT.attached, 1);
  Atomics.notify(control, SLOT.attached);
  if (!shard) return;
  for (;;) {
    Atomics.wait(control, SLOT.seq, seen);
    seen = Atomics.load(control, SLOT.seq);
    const phase = Atomics.load(control, SLOT.phase);
    if (phase === DETACH) return;
    try {
      if (STEP_PHASES[phase] === failAt) throw new Error(`failing in the ${failAt} phase, as the test asked`);
      shard.run(STEP_PHASES[phase], { rows: Atomics.load(control, SLOT.rows), negatives: Atomics.load(control, SLOT.negatives) });
    } catch (err) {
      failed(err);
    }
    Atomics.store(control, SLOT.done, seen);
    Atomics.notify(control, SLOT.done);
  }
}

port.on('message', (m: ToStegoThread) => serve(m));
port.postMessage('ready');
