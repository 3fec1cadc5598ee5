// The photo queue: concurrency, cancel (queued jobs dropped and named, running ones signalled), and
// a job's error reported instead of swallowed.
import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/ui/processing/queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('JobQueue', () => {
  it('runs up to `concurrency` jobs, reports errors, and fires onIdle when drained', async () => {
    const errors: [string, string][] = [];
    const q = new JobQueue({ onCancelled: () => {}, onError: (id, err) => errors.push([id, (err as Error).message]) }, 2);
    const gates = [deferred(), deferred(), deferred()];
    const started: string[] = [];
    let idle = 0;
    q.onIdle(() => idle++);
    q.push(...['a', 'b', 'c'].map((id, i) => ({ id, run: async () => {
      started.push(id);
      await gates[i].promise;
      if (id === 'b') throw new Error('decoder failed');
    } })));
    expect(started).toEqual(['a', 'b']);
    gates[1].resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toEqual([['b', 'decoder failed']]);
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0].resolve();
    gates[2].resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(idle).toBe(1);
  });

  it('cancel drops the queued jobs, signals the running ones, and names both', async () => {
    const cancelled: string[] = [];
    const q = new JobQueue({ onCancelled: (id) => cancelled.push(id), onError: () => {} }, 1);
    const gate = deferred();
    let aborted = false;
    q.push(
      { id: 'a', run: async (signal) => {
        await gate.promise;
        aborted = signal.aborted;
      } },
      { id: 'b', run: async () => {} },
      { id: 'c', run: async () => {} },
    );
    expect(q.cancel()).toEqual({ dropped: ['b', 'c'], running: ['a'] });
    expect(cancelled).toEqual(['b', 'c']);
    gate.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(aborted).toBe(true);
    expect(q.size).toBe(0);
  });
});
