// STEGO's training steps on two threads in a batch run (method.md §4; step-shards.ts): this thread
// runs shard 0 of each phase while a helper thread runs shard 1 on the same SharedArrayBuffer. The
// steps stay synchronous: the two meet on Atomics, a few dozen ms apart, three times a step.
import type { Worker } from 'node:worker_threads';
import type { StegoHeadShape } from '../core/stego/head';
import { STEP_PHASES, StepShard, type ShardRunner, type ShardSettings, type StepGeometry, type StepPhase, type StepShared } from '../core/stego/step-shards';
import type { ParallelShards } from '../core/stego/train';
import { startTsThread } from './ts-thread';

/** Int32 slots of the control buffer. */
export const SLOT = { seq: 0, done: 1, phase: 2, rows: 3, negatives: 4, failed: 5, attached: 6 } as const;
/** `phase` value that sends the helper back to its message loop. */
export const DETACH = -1;

export interface StegoThreadData {
  control: Int32Array;
  failAt?: StepPhase;
}

export type ToStegoThread = { type: 'attach'; settings: ShardSettings; shape: StegoHeadShape; buffer: SharedArrayBuffer };

/** How long this thread waits for the helper's half of a phase before it gives up. */
const PHASE_TIMEOUT_MS = 120_000;

const THREAD = new URL('./stego-thread.ts', import.meta.url);

export class StegoHelperThread {
  /** Set by the thread's events, which only arrive while this thread is not blocked in a step. */
  private exited: string | null = null;

  private constructor(private readonly worker: Worker, private readonly control: Int32Array) {
    worker.on('exit', (code) => (this.exited = `exited with code ${code}`));
    worker.on('error', (err) => (this.exited = err.message));
  }

  /**
   * Boots the helper (about a second, so callers start it before other work) and waits until it
   * listens. `failAt` (tests): the helper throws in that phase, as a bug in it would.
   */
  static async start(options: { failAt?: StepPhase } = {}): Promise<StegoHelperThread> {
    const control = new Int32Array(new SharedArrayBuffer(8 * 4));
    const worker = startTsThread(THREAD, { control, failAt: options.failAt } satisfies StegoThreadData);
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`STEGO's helper thread exited with code ${code} while starting`)));
    });
    return new StegoHelperThread(worker, control);
  }

  /** What stegoTrainingOnRows needs to run each step's shards here and on the helper. */
  parallel(): ParallelShards {
    return { alloc: (bytes) => new SharedArrayBuffer(bytes), runner: (settings, shape, shared) => this.attach(settings, shape, shared) };
  }

  private attach(settings: ShardSettings, shape: StegoHeadShape, shared: StepShared): ShardRunner {
    if (this.exited) throw new Error(`STEGO's helper thread ${this.exited}`);
    const c = this.control;
    Atomics.store(c, SLOT.attached, 0);
    Atomics.store(c, SLOT.failed, 0);
    this.worker.postMessage({ type: 'attach', settings, shape, buffer: shared.x.buffer as SharedArrayBuffer } satisfies ToStegoThread);
    this.waitFor(SLOT.attached, 1, 'attaching');
    const local = new StepShard(settings, shape, shared, 0);
    return {
      phase: (phase: StepPhase, g: StepGeometry) => {
        const seq = this.signal(STEP_PHASES.indexOf(phase), g);
        local.run(phase, g);
        this.waitFor(SLOT.done, seq, phase);
      },
      close: () => {
        this.signal(DETACH, { rows: 0, negatives: 0 });
      },
    };
  }

  private signal(phase: number, g: StepGeometry): number {
    const c = this.control;
    Atomics.store(c, SLOT.phase, phase);
    Atomics.store(c, SLOT.rows, g.rows);
    Atomics.store(c, SLOT.negatives, g.negatives);
    const seq = Atomics.add(c, SLOT.seq, 1) + 1;
    Atomics.notify(c, SLOT.seq);
    return seq;
  }

  /** Blocks until control[slot] is `value`; throws if the helper failed or stopped answering. */
  private waitFor(slot: number, value: number, what: string): void {
    const c = this.control;
    const deadline = performance.now() + PHASE_TIMEOUT_MS;
    for (let now = Atomics.load(c, slot); now !== value; now = Atomics.load(c, slot)) {
      if (Atomics.load(c, SLOT.failed)) throw new Error(`STEGO's helper thread failed while ${what} (its error is printed above)`);
      if (performance.now() > deadline) throw new Error(`STEGO's helper thread did not finish ${what} within ${PHASE_TIMEOUT_MS / 1000} s`);
      Atomics.wait(c, slot, now, 1000);
    }
    if (Atomics.load(c, SLOT.failed)) throw new Error(`STEGO's helper thread failed while ${what} (its error is printed above)`);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
