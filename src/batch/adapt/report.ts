// Tables of the adaptation measurement (method.md §6 gains, §7 metrics): per-seed rows become one
// row per method and k with the mean (± standard deviation over seeds) in percent.
import type { Row } from '../eval/evaluate';
import type { ScoreRow } from './experiment';

const pct = (x: number) => Math.round(x * 1000) / 10;

function meanSd(xs: number[]): string {
  const valid = xs.filter((x) => x >= 0 && Number.isFinite(x));
  if (!valid.length) return 'n/a';
  const mean = valid.reduce((a, b) => a + b, 0) / valid.length;
  if (valid.length === 1) return pct(mean).toFixed(1);
  const sd = Math.sqrt(valid.reduce((s, x) => s + (x - mean) ** 2, 0) / (valid.length - 1));
  return `${pct(mean).toFixed(1)} ± ${pct(sd).toFixed(1)}`;
}

/** One row per (k, method) in first-seen order, averaged over seeds. */
export function summaryRows(rows: readonly ScoreRow[]): Row[] {
  const groups = new Map<string, ScoreRow[]>();
  for (const r of rows) {
    const key = `${r.k}\u0000${r.method}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => ({
    k: String(g[0].k),
    method: g[0].method,
    seeds: String(g.length),
    'eval imgs': String(g[0].evalImages),
    'mask AP': meanSd(g.map((r) => r.maskAP)),
    'mask AP50': meanSd(g.map((r) => r.maskAP50)),
    mIoU: meanSd(g.map((r) => r.mIoU)),
    'mIoU super': meanSd(g.map((r) => r.mIoUSuper)),
    'pixel acc': meanSd(g.map((r) => r.pixelAccuracy)),
    'train+predict s': (g.reduce((s, r) => s + r.trainMs, 0) / g.length / 1000).toFixed(1),
  }));
}

/** Per-seed rows in percent, for the JSON. */
export function detailRows(rows: readonly ScoreRow[]): Row[] {
  return rows.map((r) => ({
    k: r.k, seed: r.seed, method: r.method, evalImages: r.evalImages,
    maskAP: pct(r.maskAP), maskAP50: pct(r.maskAP50), mIoU: pct(r.mIoU), mIoUSuper: pct(r.mIoUSuper), pixelAccuracy: pct(r.pixelAccuracy), trainMs: Math.round(r.trainMs),
  }));
}
