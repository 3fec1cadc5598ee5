// A cancellable FIFO of per-image jobs (Squoosh-style): one runs at a time per worker, cancel()
// drops everything queued and marks the running job as cancelled when it returns.

export interface Job {
  id: string;
  run(signal: AbortSignal): Promise<void>;
}

export class JobQueue {
  private pending: Job[] = [];
  private controller = new AbortController();
  private running = false;

  constructor(private readonly onCancelled: (id: string) => void) {}

  push(...jobs: Job[]): void {
    this.pending.push(...jobs);
    void this.pump();
  }

  cancel(): void {
    const dropped = this.pending;
    this.pending = [];
    this.controller.abort();
    this.controller = new AbortController();
    dropped.forEach((j) => this.onCancelled(j.id));
  }

  get size(): number {
    return this.pending.length + (this.running ? 1 : 0);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.pending.shift(); job; job = this.pending.shift()) {
        await job.run(this.controller.signal);
      }
    } finally {
      this.running = false;
    }
  }
}
