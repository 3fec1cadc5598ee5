// A cancellable FIFO of per-image jobs (Squoosh-style): up to `concurrency` run at once (one per
// pool worker); cancel() drops everything queued and signals the running ones; onIdle fires when drained.

export interface Job {
  id: string;
  run(signal: AbortSignal): Promise<void>;
}

export class JobQueue {
  private pending: Job[] = [];
  private controller = new AbortController();
  private running = 0;
  private idleListeners: (() => void)[] = [];

  constructor(
    private readonly onCancelled: (id: string) => void,
    public concurrency = 1,
  ) {}

  push(...jobs: Job[]): void {
    this.pending.push(...jobs);
    this.pump();
  }

  cancel(): void {
    const dropped = this.pending;
    this.pending = [];
    this.controller.abort();
    this.controller = new AbortController();
    dropped.forEach((j) => this.onCancelled(j.id));
  }

  get size(): number {
    return this.pending.length + this.running;
  }

  /** Calls fn every time the queue drains (no job pending or running). */
  onIdle(fn: () => void): void {
    this.idleListeners.push(fn);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.pending.length) {
      const job = this.pending.shift() as Job;
      const signal = this.controller.signal;
      this.running++;
      void job
        .run(signal)
        .catch(() => {})
        .finally(() => {
          this.running--;
          this.pump();
          if (this.size === 0) this.idleListeners.forEach((fn) => fn());
        });
    }
  }
}
