// `npm run bench -- app [n] [refine] [--vs <query>]`: the user's view of speed in headless Chromium
// (WASM): time from dropping n coco-dev photos to the first overlay, photos per minute until all
// are labelled, and how quickly the page answers input meanwhile. Run twice in one process, each
// in a fresh profile: the page's default pool (poolPlan) and another setting (default
// `workers=2&threads=1`: a photo per core), with their ratios.
//
// Input latency: every 250 ms while the photos are processed the bench presses Shift (bound to
// nothing) and the page records the time from the key event's timestamp to the next animation
// frame after its handler ran: what a key press or click waits for before the page can paint.
// Long tasks (> 50 ms on the main thread) are summed as "main thread blocked".
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../e2e/harness/browser';
import { cocoDevPhotos, COCO_DEV_IMAGES, hasCocoDev, type DropFile } from '../e2e/harness/files';
import { serveBuiltApp } from '../e2e/harness/server';
import { AppPage } from '../e2e/pages/app-page';
import { parseArgs } from '../src/cli/args';
import { median, type Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const PROBE_EVERY_MS = 250;

interface AppRun {
  badge: string;
  /** Drop event to the first overlay painted, on the page's clock (Playwright's transfer of the files left out). */
  firstMs: number;
  /** The first photo's way, ms since the drop (timeline.ts moments; worker stages from its summary). */
  moments: Record<string, number>;
  allMs: number;
  latenciesMs: number[];
  blockedMs: number;
}

/** Installs the page-side probes: key-to-frame latency and long tasks. */
async function installProbes(app: AppPage): Promise<void> {
  await app.page.evaluate(() => {
    const w = window as unknown as { __lat: number[]; __blocked: number };
    w.__lat = [];
    w.__blocked = 0;
    window.addEventListener('keydown', (e) => {
      const t0 = e.timeStamp;
      requestAnimationFrame(() => w.__lat.push(performance.now() - t0));
    }, true);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.__blocked += entry.duration;
    }).observe({ type: 'longtask', buffered: true });
  });
}

async function runOnce(browser: Browser, url: string, query: string, photos: DropFile[]): Promise<AppRun> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const app = await AppPage.open(context, url, query);
    const badge = await app.backendBadge();
    await installProbes(app);
    const t0 = Date.now();
    await app.drop(photos);
    let done = false;
    const probing = (async () => {
      while (!done) {
        await app.page.keyboard.press('Shift');
        await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
      }
    })();
    await app.waitForOverlay(600_000, { regions: true });
    const firstMs = Date.now() - t0;
    await app.waitForAllLabelled(photos.length, 3_600_000);
    const allMs = Date.now() - t0;
    done = true;
    await probing;
    const { lat, blocked, marks } = await app.page.evaluate(() => {
      const w = window as unknown as { __lat: number[]; __blocked: number };
      const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('u2seg:')).map((m) => ({ name: m.name.slice(6), t: m.startTime, detail: (m as PerformanceMark).detail as Record<string, number> | null }));
      return { lat: w.__lat, blocked: w.__blocked, marks };
    });
    const moments = firstPhotoMoments(marks);
    return { badge, firstMs: moments.overlay ?? firstMs, moments, allMs, latenciesMs: lat, blockedMs: blocked };
  } finally {
    await context.close();
  }
}

/** Moments since the drop; the worker's stage timings of the first photo ('processed') and of its regions ('clustered') spelled out. */
function firstPhotoMoments(marks: { name: string; t: number; detail: Record<string, number> | null }[]): Record<string, number> {
  const drop = marks.find((m) => m.name === 'drop')?.t;
  if (drop === undefined) return {};
  const out: Record<string, number> = {};
  for (const m of marks) {
    out[m.name] = m.t - drop;
    if (m.name === 'processed' && m.detail) for (const [k, v] of Object.entries(m.detail)) out[`worker ${k}`] = v;
    if (m.name === 'clustered' && m.detail) for (const [k, v] of Object.entries(m.detail)) out[`regions ${k}`] = v;
  }
  return out;
}

/**
 * Where the first overlay's time went, from the drop to the paint. With regions first (the
 * default) the worker clusters and labels the first photo after two of its four backbone passes
 * and the page paints its regions; its masks (MaskCut, CRF) are painted later ("with masks").
 */
function breakdownRow(name: string, r: AppRun): Row {
  const m = r.moments;
  const step = (from: string, to: string) => (m[to] !== undefined && m[from] !== undefined ? m[to] - m[from] : NaN);
  const regions = (k: string) => m[`regions ${k}`] ?? NaN;
  return {
    pool: name,
    'drop → stored ms': step('drop', 'stored'),
    'stored → job ms': step('stored', 'process-start'),
    'worker decode ms': m['worker decode'] ?? NaN,
    'backbone to regions ms': regions('backbone'),
    'regions clusters ms': regions('clusters'),
    'regions label ms': regions('label'),
    'regions → painted ms': step('clustered', 'overlay'),
    'first overlay ms': m.overlay ?? NaN,
    'backbone, all passes ms': m['worker backbone'] ?? NaN,
    'worker maskcut ms': m['worker maskcut'] ?? NaN,
    'worker refine ms': m['worker refine'] ?? NaN,
    'with masks ms': m['final-overlay'] ?? NaN,
  };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};

function row(name: string, query: string, r: AppRun, n: number): Row {
  return {
    pool: name,
    query,
    backend: r.badge,
    'first overlay s': r.firstMs / 1000,
    'all labelled s': r.allMs / 1000,
    'photos/min': (60_000 * n) / r.allMs,
    'input → frame median ms': median(r.latenciesMs),
    'input → frame p95 ms': percentile(r.latenciesMs, 0.95),
    'input → frame max ms': Math.max(...r.latenciesMs),
    'main thread blocked s': r.blockedMs / 1000,
  };
}

export async function benchApp(args: string[]): Promise<{ tables: { title: string; rows: Row[] }[] }> {
  if (!hasCocoDev()) throw new Error(`needs ${COCO_DEV_IMAGES}`);
  const { flags, positional } = parseArgs(args, []);
  const n = Number(positional[0] ?? 20);
  const refine = positional[1] ?? 'crf';
  const vs = flags.get('vs') ?? 'workers=2&threads=1';
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const server = await serveBuiltApp();
  const browser = await launchBrowser();
  const photos = cocoDevPhotos(n);
  const base = `?refine=${refine}&backend=wasm`;
  const otherQuery = `${base}&${vs}`;
  try {
    process.stderr.write(`default pool (${base}, ${os.availableParallelism()} cores)…\n`);
    const cur = await runOnce(browser, server.url, base, photos);
    process.stderr.write(`other pool (${otherQuery})…\n`);
    const old = await runOnce(browser, server.url, otherQuery, photos);
    const ratio: Row = {
      pool: 'other ÷ default',
      query: '',
      backend: '',
      'first overlay s': old.firstMs / cur.firstMs,
      'all labelled s': old.allMs / cur.allMs,
      'photos/min': cur.allMs / old.allMs,
      'input → frame median ms': median(old.latenciesMs) / median(cur.latenciesMs),
      'input → frame p95 ms': percentile(old.latenciesMs, 0.95) / percentile(cur.latenciesMs, 0.95),
      'input → frame max ms': Math.max(...old.latenciesMs) / Math.max(...cur.latenciesMs),
      'main thread blocked s': cur.blockedMs ? old.blockedMs / cur.blockedMs : NaN,
    };
    return {
      tables: [
        { title: `${n} coco-dev photos dropped, refine ${refine}`, rows: [row('default (poolPlan)', base, cur, n), row('other', otherQuery, old, n), ratio] },
        { title: 'first overlay, step by step (ms after the drop event, page clock)', rows: [breakdownRow('default (poolPlan)', cur), breakdownRow('other', old)] },
      ],
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
