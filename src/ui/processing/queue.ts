// A cancellable FIFO of per-image jobs (Squoosh-style): up to `concurrency` run at once (one per
// pool worker); cancel() drops everything queued and signals the running ones; onIdle fires when drained.
// A job's error goes to onError (never swallowed); cancel() says which jobs it dropped and which ran on.

export interface Job {
  id: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface QueueHandlers {
  /** A queued job that cancel() dropped before it started. */
  onCancelled(id: string): void;
  /** A job that threw (its own handling failed too); the queue goes on with the next. */
  onError(id: string, err: unknown): void;
}

export class JobQueue {
  private pending: Job[] = [];
  private readonly runningIds = new Set<string>();
  private controller = new AbortController();
  private running = 0;
  private idleListeners: (() => void)[] = [];

  constructor(
    private readonly handlers: QueueHandlers,
    public concurrency = 1,
  ) {}

  push(...jobs: Job[]): void {
    this.pending.push(...jobs);
    this.pump();
  }

  /** Drops the queued jobs and aborts the running ones' signal; returns both lists of ids. */
  cancel(): { dropped: string[]; running: string[] } {
    const dropped = this.pending;
    this.pending = [];
    this.controller.abort();
    this.controller = new AbortController();
    dropped.forEach((j) => this.handlers.onCancelled(j.id));
    return { dropped: dropped.map((j) => j.id), running: [...this.runningIds] };
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
      this.runningIds.add(job.id);
      void job
        .run(signal)
        .catch((err: unknown) => this.handlers.onError(job.id, err))
        .finally(() => {
          this.running--;
          this.runningIds.delete(job.id);
          this.pump();
          if (this.size === 0) this.idleListeners.forEach((fn) => fn());
        });
    }
  }
}
