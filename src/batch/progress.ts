// Progress of a batch run on stderr (phase 1 of method.md §2–§3 per photo): images done/total,
// ETA and mean ms per stage. Redraws one line on a terminal; prints a line every few seconds otherwise.

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

const BAR_WIDTH = 24;
const PLAIN_INTERVAL_MS = 5000;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private done = 0;
  private failed = 0;
  private readonly sumsMs = new Map<string, number>();
  private readonly started = performance.now();
  private lastPlainMs = -Infinity;
  private lastPlainDone = -1;

  constructor(
    private readonly total: number,
    private readonly sink: ProgressSink | null,
    private readonly label = 'phase 1',
  ) {}

  /** One photo finished; `stagesMs` are its per-stage times (absent for a failure). */
  tick(stagesMs?: Record<string, number>): void {
    this.done++;
    if (!stagesMs) this.failed++;
    else for (const [k, v] of Object.entries(stagesMs)) this.sumsMs.set(k, (this.sumsMs.get(k) ?? 0) + v);
    this.draw(false);
  }

  /** A message on its own line (e.g. a skipped photo), without breaking the bar. */
  note(text: string): void {
    if (!this.sink) return;
    this.sink.write(`${this.sink.isTTY ? '\r\x1b[K' : ''}${text}\n`);
    if (this.sink.isTTY) this.draw(true);
  }

  finish(): void {
    this.draw(true);
    if (this.sink?.isTTY) this.sink.write('\n');
  }

  line(): string {
    const elapsed = performance.now() - this.started;
    const fraction = this.total ? this.done / this.total : 1;
    const filled = Math.round(fraction * BAR_WIDTH);
    const eta = this.done ? (elapsed / this.done) * (this.total - this.done) : NaN;
    const ok = this.done - this.failed;
    const stages = [...this.sumsMs].map(([k, v]) => `${k} ${Math.round(v / Math.max(ok, 1))}`).join(' ');
    const failed = this.failed ? ` (${this.failed} failed)` : '';
    return `${this.label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${this.done}/${this.total}${failed} ` +
      `elapsed ${formatDuration(elapsed)} ETA ${this.done < this.total ? formatDuration(eta) : '0s'}${stages ? ` | ms/img ${stages}` : ''}`;
  }

  private draw(force: boolean): void {
    if (!this.sink) return;
    if (this.sink.isTTY) {
      this.sink.write(`\r\x1b[K${this.line()}`);
      return;
    }
    const now = performance.now();
    if (this.done === this.lastPlainDone) return;
    if (!force && now - this.lastPlainMs < PLAIN_INTERVAL_MS && this.done < this.total) return;
    this.lastPlainMs = now;
    this.lastPlainDone = this.done;
    this.sink.write(`${this.line()}\n`);
  }
}
