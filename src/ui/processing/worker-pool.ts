// A pool of backbone workers (each with its own ORT session) that runs per-image jobs in
// parallel; a worker that crashes or runs out of memory is replaced and the session goes on.
import type { BackendPreference } from '../../runtime/ort-web';
import type { BackboneWorkerApi } from '../../../workers/backbone-api';
import { pageConfig } from '../config';
import { guarded, JobCancelled, startBackboneWorker, type BackboneClient } from './backbone-client';

type InitResult = Awaited<ReturnType<BackboneWorkerApi['init']>>;

export interface PoolPlan {
  workers: number;
  /** WASM threads of each worker's model (capped again by cross-origin isolation in ort-web.ts). */
  threadsPerWorker: number;
}

/**
 * Workers and threads by cores: each worker's model gets up to 4 WASM threads, and there is one
 * worker per 4 cores (at most 4; each holds the model). The backbone dominates a photo in WASM and
 * scales with threads, so on 2 cores one worker with both threads beats two with one each: in
 * `npm run bench -- app 20` the two gave 1.09× the photos a minute but the first overlay 1.65×
 * later (README "Throughput: every core busy").
 */
export function poolPlan(cores: number, forced: { workers: number | null; threads: number | null } = { workers: null, threads: null }): PoolPlan {
  const c = Math.max(1, cores || 2);
  const workers = forced.workers ?? Math.max(1, Math.min(4, Math.floor(c / 4)));
  return { workers, threadsPerWorker: forced.threads ?? Math.max(1, Math.min(4, Math.floor(c / workers))) };
}

/**
 * Photos the page processes at once: one per worker, model or segmenting, and with segmenting
 * workers `ahead` more, which the model's workers embed while those are busy (README: 1.01–1.15×
 * the photos a minute on 2 cores for one ahead).
 */
export function photosInFlight(modelWorkers: number, segmentingWorkers: number, ahead: number): number {
  return modelWorkers + (segmentingWorkers > 0 ? segmentingWorkers + ahead : 0);
}

function pagePoolPlan(): PoolPlan {
  const { workers, threads } = pageConfig();
  return poolPlan(navigator.hardwareConcurrency, { workers, threads });
}

export class BackbonePool {
  private clients: BackboneClient[] = [];
  private idle: BackboneClient[] = [];
  /** Workers running a use() call now (not those loading a model). */
  private readonly busy = new Set<BackboneClient>();
  private waiting: { resolve: (c: BackboneClient) => void; reject: (err: Error) => void }[] = [];
  private model: { id: string; pref: BackendPreference } | null = null;
  /** Bumped by every init(), so a slow load of an earlier model never hands its worker out. */
  private generation = 0;
  private readonly loading = new Map<BackboneClient, Promise<InitResult>>();

  readonly size: number;
  private readonly threadsPerWorker: number;

  /**
   * `loadsModel: false`: workers that never load a model (MaskCut, CRF, clusters and labels from
   * the session store), ready at once.
   */
  constructor(
    plan: PoolPlan = pagePoolPlan(),
    private readonly onCrash: (message: string) => void = () => {},
    private readonly loadsModel = true,
  ) {
    this.size = plan.workers;
    this.threadsPerWorker = plan.threadsPerWorker;
    for (let i = 0; i < this.size; i++) this.clients.push(this.start());
    if (!loadsModel) this.clients.forEach((c) => this.release(c));
  }

  private start(): BackboneClient {
    const c = startBackboneWorker();
    // Replace a dead worker at once, busy or idle, so the queue never waits on a corpse.
    c.crashed.catch((err: Error) => {
      if (!(err instanceof JobCancelled)) this.onCrash(err.message);
      this.replace(c);
    });
    return c;
  }

  /**
   * Loads a model in every worker; resolves with the first worker's backend as soon as that one can
   * work. The others load after it: two workers fetching one large model at once can fail in
   * Chromium's HTTP cache (net::ERR_CACHE_WRITE_FAILURE), and after the first they read it from
   * the cache. A later worker that fails to load is reported and left out; the rest go on.
   */
  async init(modelId: string, pref: BackendPreference): Promise<InitResult> {
    this.model = { id: modelId, pref };
    const generation = ++this.generation;
    this.idle = [];
    const [first, ...rest] = this.clients;
    const result = await this.load(first, modelId, pref);
    this.release(first);
    for (const c of rest) {
      void this.load(c, modelId, pref).then(
        () => generation === this.generation && this.release(c),
        (err: Error) => generation === this.generation && !c.isDead() && this.onCrash(`a processing worker could not load the model (${err.message}); the others go on`),
      );
    }
    return result;
  }

  /** A worker's init, after any earlier one of it has settled (two in flight could end on the older model). */
  private load(c: BackboneClient, modelId: string, pref: BackendPreference): Promise<InitResult> {
    const previous = this.loading.get(c) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => guarded(c, c.api.init(modelId, pref, this.threadsPerWorker, pageConfig().sharedStem)));
    this.loading.set(c, next);
    return next;
  }

  /** Runs fn on an idle worker; a crash rejects with a readable message and the worker is replaced. */
  async use<T>(fn: (api: BackboneClient['api']) => Promise<T>): Promise<T> {
    const c = await this.acquire();
    this.busy.add(c);
    try {
      return await guarded(c, fn(c.api));
    } finally {
      this.busy.delete(c);
      if (!c.isDead()) this.release(c);
    }
  }

  /** Any one worker, for calls that do not need to wait for a free one (benchmarks, reads). */
  any(): BackboneClient {
    return this.clients[0];
  }

  /**
   * The user's Cancel: calls waiting for a worker reject, and every busy worker is stopped (its call
   * rejects with JobCancelled) and replaced by a fresh one that loads the same model. Returns how
   * many workers were stopped mid-job.
   */
  cancelAll(): number {
    const waiting = this.waiting.splice(0);
    waiting.forEach((w) => w.reject(new JobCancelled()));
    const busy = [...this.busy].filter((c) => !c.isDead());
    busy.forEach((c) => c.stop());
    return busy.length;
  }

  private acquire(): Promise<BackboneClient> {
    const c = this.idle.shift();
    if (c) return Promise.resolve(c);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(c: BackboneClient): void {
    if (this.idle.includes(c)) return;
    this.idle.push(c);
    this.flush();
  }

  private flush(): void {
    while (this.idle.length && this.waiting.length) this.waiting.shift()?.resolve(this.idle.shift() as BackboneClient);
  }

  private replace(dead: BackboneClient): void {
    if (!this.clients.includes(dead)) return;
    dead.terminate();
    this.loading.delete(dead);
    this.clients = this.clients.filter((c) => c !== dead);
    this.idle = this.idle.filter((c) => c !== dead);
    const fresh = this.start();
    this.clients.push(fresh);
    if (!this.loadsModel) return this.release(fresh);
    if (!this.model) return;
    void this.load(fresh, this.model.id, this.model.pref).then(
      () => this.release(fresh),
      () => undefined,
    );
  }
}
