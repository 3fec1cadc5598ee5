// Page object for the app: what a user does (drop files, pick a photo) and sees (badge, feature
// view, messages), so tests read as user stories and selectors live in one place.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { DropFile } from '../harness/files';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../screenshots');

export class AppPage {
  private constructor(readonly page: Page, private readonly errors: string[]) {}

  /** Pages of one context share storage (IndexedDB), as tabs of one browser profile do. */
  static async open(where: Browser | BrowserContext, baseUrl: string, query = ''): Promise<AppPage> {
    const page = await where.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl}${query}`);
    return new AppPage(page, errors);
  }

  /** Uncaught exceptions seen on the page (a crash a user would see as a blank panel). */
  get pageErrors(): string[] {
    return this.errors;
  }

  async drop(files: DropFile[]): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle((items) => {
      const dt = new DataTransfer();
      for (const f of items) {
        const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
      }
      return dt;
    }, files);
    await this.page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
  }

  /** Draws a photo-like JPEG of any size inside the page (too big to ship) and drops it. */
  async dropGeneratedJpeg(name: string, width: number, height: number): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle(
      async ([n, w, h]) => {
        const canvas = new OffscreenCanvas(w, h);
        const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
        const sky = ctx.createLinearGradient(0, 0, 0, h);
        sky.addColorStop(0, '#7fb2e6');
        sky.addColorStop(1, '#e8eef4');
        ctx.fillStyle = sky;
        ctx.fillRect(0, 0, w, h);
        ctx.fillStyle = '#4a7a3a';
        ctx.fillRect(0, h * 0.65, w, h * 0.35);
        ctx.fillStyle = '#b8322a';
        ctx.beginPath();
        ctx.arc(w * 0.4, h * 0.55, h * 0.18, 0, Math.PI * 2);
        ctx.fill();
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
        const dt = new DataTransfer();
        dt.items.add(new File([blob], n, { type: 'image/jpeg' }));
        return dt;
      },
      [name, width, height] as const,
    );
    await this.page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
  }

  /**
   * Drops `count` photos drawn in the page (no data folder needed): sky, ground, and a disc and a
   * box whose colours and places change with the photo's index.
   */
  async dropGeneratedPhotos(count: number, width = 320, height = 240): Promise<string[]> {
    const names = Array.from({ length: count }, (_, i) => `generated-${String(i).padStart(2, '0')}.jpg`);
    const dataTransfer = await this.page.evaluateHandle(
      async ([list, w, h]) => {
        const dt = new DataTransfer();
        const colours = ['#b8322a', '#f0c828', '#285ac8', '#e6e6e6', '#1e1e1e'];
        for (let i = 0; i < list.length; i++) {
          const canvas = new OffscreenCanvas(w, h);
          const ctx = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D;
          const horizon = h * (0.5 + 0.05 * (i % 4));
          const sky = ctx.createLinearGradient(0, 0, 0, horizon);
          sky.addColorStop(0, '#7fb2e6');
          sky.addColorStop(1, '#e8eef4');
          ctx.fillStyle = sky;
          ctx.fillRect(0, 0, w, horizon);
          ctx.fillStyle = i % 2 ? '#4a7a3a' : '#8a6a3a';
          ctx.fillRect(0, horizon, w, h - horizon);
          ctx.fillStyle = colours[i % colours.length];
          ctx.beginPath();
          ctx.arc(w * (0.25 + 0.06 * (i % 5)), h * 0.6, h * 0.16, 0, Math.PI * 2);
          ctx.fill();
          ctx.fillStyle = colours[(i + 2) % colours.length];
          ctx.fillRect(w * (0.6 + 0.03 * (i % 3)), h * 0.35, w * 0.2, h * 0.3);
          const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
          dt.items.add(new File([blob], list[i], { type: 'image/jpeg' }));
        }
        return dt;
      },
      [names, width, height] as const,
    );
    await this.page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer });
    return names;
  }

  async backendBadge(): Promise<string> {
    const badge = this.page.getByTestId('backend-badge');
    await this.page.waitForFunction(() => {
      const b = document.querySelector('[data-testid=backend-badge]');
      return b && !/loading/.test(b.textContent ?? '');
    }, undefined, { timeout: 60_000 });
    return (await badge.textContent()) ?? '';
  }

  /** Waits until the feature view of the shown photo is painted (the view worker computes it on demand). */
  async waitForFeatureView(timeoutMs = 120_000): Promise<void> {
    await this.page.locator('[data-testid=feature-view][data-rendered]').waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /**
   * Waits until the selected photo's overlay has been painted with its labels; `regions`: any
   * first paint, such as the first photo's regions before its masks are made.
   */
  async waitForOverlay(timeoutMs = 180_000, opts: { regions?: boolean } = {}): Promise<void> {
    await this.page.waitForFunction((regions) => {
      const c = document.querySelector('[data-testid=overlay]') as HTMLCanvasElement | null;
      return Boolean(c?.dataset.rendered) && (regions || c?.dataset.settled === 'true');
    }, Boolean(opts.regions), { timeout: timeoutMs });
  }

  async waitForOverlayMode(mode: string): Promise<void> {
    await this.page.waitForFunction((m) => (document.querySelector('[data-testid=overlay]') as HTMLCanvasElement | null)?.dataset.rendered === m, mode);
  }

  /** Shows a photo from the gallery in a view and waits until its overlay is painted. */
  async showPhoto(name: string, mode: string): Promise<void> {
    await this.page.getByTestId('gallery').getByRole('button', { name }).click();
    await this.page.waitForFunction(([n, m]) => {
      const canvas = document.querySelector('[data-testid=overlay]') as HTMLCanvasElement | null;
      return canvas?.dataset.photo === n && canvas.dataset.rendered === m;
    }, [name, mode] as const);
  }

  /** Fraction of overlay pixels painted (alpha > 0). */
  async overlayCoverage(): Promise<number> {
    return this.page.evaluate(() => {
      const c = document.querySelector('[data-testid=overlay]') as HTMLCanvasElement;
      const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n / (d.length / 4);
    });
  }

  /** The first photo's moments (src/ui/processing/timeline.ts), ms on the page's clock. */
  async moments(): Promise<Record<string, number>> {
    return this.page.evaluate(() =>
      Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('u2seg:')).map((m) => [m.name.slice(6), m.startTime])),
    );
  }

  async waitForAllLabelled(count: number, timeoutMs = 300_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=status-labelled]').length >= n && !document.querySelector('[data-testid=progress]'),
      count,
      { timeout: timeoutMs },
    );
  }

  /** Where the stuff clusters come from now: 'kmeans' or 'stego' (the semantic panel says). */
  async semanticSource(): Promise<string | null> {
    return this.page.getByTestId('semantic-panel').getAttribute('data-source');
  }

  /** Waits until STEGO's head has trained, its clusters are adopted and every photo is labelled again. */
  async waitForSemanticHead(count: number, timeoutMs = 600_000): Promise<void> {
    await this.page.waitForFunction(() => document.querySelector('[data-testid=semantic-panel]')?.getAttribute('data-source') === 'stego', undefined, { timeout: timeoutMs });
    await this.waitForAllLabelled(count, timeoutMs);
  }

  /** A photo's stored semantic label map (cluster per pixel at the label resolution), as a reload reads it. */
  async storedSemanticMap(photoName: string): Promise<{ labels: Uint16Array; height: number; width: number } | null> {
    const images = (await this.readSession<{ id: string; name: string }[]>('images', null)) ?? [];
    const id = images.find((im) => im.name === photoName)?.id;
    if (!id) return null;
    const labels = await this.readSession<{ value: { semanticRowMajor: Uint16Array } }>('results', [id, 'labels']);
    const summary = await this.readSession<{ value: { labelSizeHW: [number, number] } }>('results', [id, 'summary']);
    if (!labels || !summary) return null;
    const [height, width] = summary.value.labelSizeHW;
    return { labels: labels.value.semanticRowMajor, height, width };
  }

  async renameCluster(id: number, name: string): Promise<void> {
    const input = this.page.getByTestId(`cluster-${id}`).locator('input.cluster-name');
    await input.fill(name);
    await input.press('Enter');
  }

  async clusterName(id: number): Promise<string> {
    return this.page.getByTestId(`cluster-${id}`).locator('input.cluster-name').inputValue();
  }

  async stuffClusterIds(): Promise<number[]> {
    const ids = await this.page.locator('[data-testid=legend] ul').nth(1).locator('li').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-testid')?.split('-')[1])));
    return ids.sort((a, b) => a - b);
  }

  async mergeCluster(from: number, into: number): Promise<void> {
    await this.page.getByTestId(`cluster-${from}`).locator('select').selectOption(String(into));
  }

  /** Opens the export dialog, downloads the zip and returns where Playwright saved it. */
  async exportZip(): Promise<string> {
    await this.page.keyboard.press('Control+e');
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('export-download').click()]);
    const file = path.join(SCREENSHOTS, 'export.zip');
    await download.saveAs(file);
    return file;
  }

  async showFeatures(): Promise<void> {
    await this.page.keyboard.press('f');
  }

  async featureViewHasColour(): Promise<boolean> {
    return this.page.evaluate(() => {
      const c = document.querySelector('[data-testid=feature-view]') as HTMLCanvasElement | null;
      const ctx = c?.getContext('2d');
      if (!c || !ctx || c.width === 0) return false;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size > 10;
    });
  }

  async alerts(): Promise<string[]> {
    return this.page.getByRole('alert').allTextContents();
  }

  async waitForAlert(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const alert = this.page.getByRole('alert').filter({ hasText: pattern }).first();
    await alert.waitFor({ timeout: timeoutMs });
    return (await alert.textContent()) ?? '';
  }

  /** Dismisses every message (they stack above the viewer and push it down). */
  async dismissMessages(): Promise<void> {
    await this.page.locator('.messages button[aria-label=dismiss]').evaluateAll((buttons) => buttons.forEach((b) => (b as HTMLButtonElement).click()));
  }

  async galleryCount(): Promise<number> {
    return this.page.locator('[data-testid=gallery] li').count();
  }

  /** Width × height of the painted feature grid (canvas pixels = grid cells). */
  async featureGridSize(): Promise<[number, number]> {
    await this.waitForFeatureView();
    return this.page.evaluate(() => {
      const c = document.querySelector('[data-testid=feature-view]') as HTMLCanvasElement | null;
      return [c?.width ?? 0, c?.height ?? 0] as [number, number];
    });
  }

  /** The Models panel's entries, in the order shown. */
  async models(): Promise<{ id: string; name: string; active: boolean; imported: boolean }[]> {
    return this.page.locator('[data-testid=model-item]').evaluateAll((items) =>
      items.map((li) => ({
        id: li.getAttribute('data-model-id') ?? '',
        name: li.querySelector('.model-name')?.textContent ?? '',
        active: li.getAttribute('data-active') === 'true',
        imported: li.getAttribute('data-origin') === 'cached',
      })),
    );
  }

  /** Conversion settings of the Models panel; numHeads null means "auto". */
  async setConversion(opts: { inputSizePx?: number; numHeads?: number | null }): Promise<void> {
    if (opts.inputSizePx !== undefined) await this.page.getByTestId('model-input-size').selectOption(String(opts.inputSizePx));
    if (opts.numHeads !== undefined) await this.page.getByTestId('model-heads').fill(opts.numHeads === null ? '' : String(opts.numHeads));
    // Leave the field, as a user would, so that keyboard shortcuts reach the page again.
    await this.page.getByTestId('model-heads').blur();
    await this.page.getByTestId('model-input-size').blur();
  }

  /** Picks model files with the Models panel's "Import model file…" picker. */
  async importModelFiles(files: DropFile[]): Promise<void> {
    await this.page.getByTestId('model-file-input').setInputFiles(
      files.map((f) => ({ name: f.name, mimeType: f.mimeType, buffer: Buffer.from(f.base64, 'base64') })),
    );
  }

  /** Waits until the Models panel lists a model whose name matches; returns its id. */
  async waitForModel(name: RegExp, timeoutMs = 60_000): Promise<string> {
    const item = this.modelItem(name);
    await item.waitFor({ timeout: timeoutMs });
    return (await item.getAttribute('data-model-id')) ?? '';
  }

  /** Waits until the badge names a ready model matching `name`; returns the badge text. */
  async waitForActiveModel(name: RegExp, timeoutMs = 60_000): Promise<string> {
    const badge = this.page.getByTestId('backend-badge').filter({ hasText: name });
    await badge.waitFor({ timeout: timeoutMs });
    return (await badge.textContent()) ?? '';
  }

  /** The Models panel entry whose name (not its details) matches. */
  modelItem(name: RegExp): Locator {
    return this.page.getByTestId('model-item').filter({ has: this.page.locator('.model-name', { hasText: name }) }).first();
  }

  async selectModel(name: RegExp): Promise<void> {
    await this.modelItem(name).locator('.model-select').click();
  }

  async deleteModel(name: RegExp): Promise<void> {
    await this.modelItem(name).locator('.model-delete').click();
    await this.modelItem(name).waitFor({ state: 'detached' });
  }

  /** Clicks the download button of an official DINO checkpoint (DINO_CHECKPOINTS id). */
  async downloadCheckpoint(checkpointId: string): Promise<void> {
    await this.page.getByTestId(`download-${checkpointId}`).click();
  }

  // ---- the user's own labels (src/ui/features/labelling) ----

  /** Turns Label mode on (key l) and waits for its tools. */
  async enterLabelMode(): Promise<void> {
    await this.page.keyboard.press('l');
    await this.page.getByTestId('action-labels.brush').waitFor();
  }

  /** Adds a class with the labelling toolbar's form; returns its id (it becomes the class to paint). */
  async addLabelClass(name: string, kind: 'thing' | 'stuff'): Promise<number> {
    await this.page.getByTestId('new-class-name').fill(name);
    await this.page.getByTestId('new-class-kind').selectOption(kind);
    await this.page.getByTestId('new-class-add').click();
    const row = this.page.locator('[data-testid=legend] li').filter({ has: this.page.locator(`input.cluster-name[value="${name}"]`) });
    await row.waitFor();
    return Number((await row.getAttribute('data-testid'))?.split('-')[1]);
  }

  /** The class chosen to paint (its cluster id), or null. */
  async labelClass(): Promise<number | null> {
    const v = await this.page.getByTestId('label-class').inputValue();
    return v ? Number(v) : null;
  }

  /** Where a point given as fractions of the photo lies on the screen. */
  private async labelPoint(fx: number, fy: number): Promise<{ x: number; y: number }> {
    const box = await this.page.getByTestId('user-labels').boundingBox();
    if (!box) throw new Error('the user-label layer is not shown');
    return { x: box.x + fx * box.width, y: box.y + fy * box.height };
  }

  /** Drags the mouse through the points (fractions of the photo), as a user paints a stroke. */
  async dragOverPhoto(points: [number, number][], stepsBetween = 4): Promise<void> {
    const first = await this.labelPoint(...points[0]);
    await this.page.mouse.move(first.x, first.y);
    await this.page.mouse.down();
    for (const p of points.slice(1)) {
      const at = await this.labelPoint(...p);
      await this.page.mouse.move(at.x, at.y, { steps: stepsBetween });
    }
    await this.page.mouse.up();
  }

  /** A pen stroke through the points (fractions of the photo), as pointer events of type "pen". */
  async penStrokeOverPhoto(points: [number, number][]): Promise<void> {
    const screen = await Promise.all(points.map((p) => this.labelPoint(...p)));
    const layer = this.page.getByTestId('user-labels');
    const init = (p: { x: number; y: number }, buttons: number) => ({ pointerId: 7, pointerType: 'pen', isPrimary: true, button: 0, buttons, clientX: p.x, clientY: p.y, pressure: 0.5, bubbles: true });
    await layer.dispatchEvent('pointerdown', init(screen[0], 1));
    for (const p of screen.slice(1)) await layer.dispatchEvent('pointermove', init(p, 1));
    await layer.dispatchEvent('pointerup', init(screen[screen.length - 1], 0));
  }

  /** The Stage's pan/zoom transform (CSS), to see that a gesture panned or zoomed. */
  async stageTransform(): Promise<string> {
    return this.page.locator('.stage-content').evaluate((e) => (e as HTMLElement).style.transform);
  }

  async clickPhoto(fx: number, fy: number): Promise<void> {
    const at = await this.labelPoint(fx, fy);
    await this.page.mouse.click(at.x, at.y);
  }

  /** Label-resolution size [height, width] of the shown user-label layer. */
  async labelLayerSizeHW(): Promise<[number, number]> {
    return this.page.getByTestId('user-labels').evaluate((c) => [(c as HTMLCanvasElement).height, (c as HTMLCanvasElement).width] as [number, number]);
  }

  /** Pixels per category id of a photo's stored user labels (IndexedDB, as a reload reads them). */
  async storedUserLabels(photoName: string): Promise<{ sizeHW: [number, number]; counts: Record<number, number>; labelledPixels: number } | null> {
    const r = await this.storedResult(photoName, 'user-labels', 'categoryRowMajor');
    if (r) delete r.counts[0]; // 0 = not labelled
    return r && { sizeHW: r.fields.labelSizeHW as [number, number], counts: r.counts, labelledPixels: r.fields.labelledPixels as number };
  }

  /** How many instances the stored image pass of a photo holds (null before it is stored). */
  /** Waits until every named photo's stored result was made by the given proposal stage. */
  async waitForMade(photoNames: string[], proposals: string, timeoutMs = 300_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const images = (await this.readSession<{ id: string; name: string }[]>('images', null)) ?? [];
      const made = await Promise.all(photoNames.map(async (name) => {
        const id = images.find((im) => im.name === name)?.id;
        const rec = id ? await this.readSession<{ value: { made?: { proposals: string } } }>('results', [id, 'summary']) : undefined;
        return rec?.value.made?.proposals ?? null;
      }));
      if (made.every((m) => m === proposals)) return;
      if (Date.now() > until) throw new Error(`photos not made with ${proposals} after ${timeoutMs} ms: ${made.join(', ')}`);
      await this.page.waitForTimeout(250);
    }
  }

  async storedInstanceCount(photoName: string): Promise<number | null> {
    const images = (await this.readSession<{ id: string; name: string }[]>('images', null)) ?? [];
    const id = images.find((im) => im.name === photoName)?.id;
    const rec = id ? await this.readSession<{ value: { instances: unknown[] } }>('results', [id, 'pass']) : undefined;
    return rec ? rec.value.instances.length : null;
  }

  /** The stored image pass of a photo: its label size and each instance's mask (uncompressed COCO RLE). */
  async storedInstances(photoName: string): Promise<{ sizeHW: [number, number]; rles: { size: [number, number]; counts: number[] }[] } | null> {
    const images = (await this.readSession<{ id: string; name: string }[]>('images', null)) ?? [];
    const id = images.find((im) => im.name === photoName)?.id;
    type Pass = { labelSizeHW: { height: number; width: number }; instances: { rle: { size: [number, number]; counts: number[] } }[] };
    const rec = id ? await this.readSession<{ value: Pass }>('results', [id, 'pass']) : undefined;
    return rec ? { sizeHW: [rec.value.labelSizeHW.height, rec.value.labelSizeHW.width], rles: rec.value.instances.map((i) => i.rle) } : null;
  }

  /** Points at a label-resolution pixel of the overlay, waits for its hover label, and clicks. */
  async clickOverlayPixel(x: number, y: number): Promise<void> {
    const canvas = this.page.getByTestId('overlay');
    const box = await canvas.boundingBox();
    const [w, h] = await canvas.evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    if (!box || !w) throw new Error('no overlay to click');
    const at = { x: box.x + ((x + 0.5) / w) * box.width, y: box.y + ((y + 0.5) / h) * box.height };
    await this.page.mouse.move(at.x - 2, at.y);
    await this.page.mouse.move(at.x, at.y);
    await this.page.getByTestId('hover-label').waitFor();
    await this.page.mouse.click(at.x, at.y);
  }

  /** The instance indices the selection bar shows, once it shows something other than `previous`. */
  async waitForSelection(previous = ''): Promise<string> {
    const bar = this.page.getByTestId('selection-bar');
    await this.page.waitForFunction((prev) => {
      const el = document.querySelector('[data-testid=selection-bar]');
      const layer = document.querySelector('[data-testid=selection-layer]') as HTMLElement | null;
      return el && el.getAttribute('data-indices') !== prev && layer?.dataset.indices === el.getAttribute('data-indices');
    }, previous);
    return (await bar.getAttribute('data-indices')) ?? '';
  }

  /**
   * A photo's stored result of one kind, read from IndexedDB as a reload reads it: pixels per value
   * of its label map `mapField`, and its other small fields.
   */
  private async storedResult(photoName: string, kind: string, mapField: string): Promise<{ counts: Record<number, number>; fields: Record<string, unknown> } | null> {
    const images = (await this.readSession<{ id: string; name: string }[]>('images', null)) ?? [];
    const id = images.find((im) => im.name === photoName)?.id;
    const rec = id ? await this.readSession<{ value: Record<string, unknown> }>('results', [id, kind]) : undefined;
    if (!rec) return null;
    const counts: Record<number, number> = {};
    for (const c of rec.value[mapField] as Uint16Array) counts[c] = (counts[c] ?? 0) + 1;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec.value)) if (!ArrayBuffer.isView(v) && (typeof v !== 'object' || Array.isArray(v))) fields[k] = Array.isArray(v) && typeof v[0] === 'object' ? v.length : v;
    return { counts, fields };
  }

  /**
   * One record of the session's IndexedDB store (typed arrays come back as typed arrays), or with
   * `key` null every record's id and name (the images store holds blobs, which do not travel).
   */
  private async readSession<T>(store: 'images' | 'results' | 'meta', key: string | string[] | null): Promise<T | undefined> {
    const args: [string, string | string[] | null] = [store, key];
    const value: unknown = await this.page.evaluate(async ([store, key]: [string, string | string[] | null]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('u2seg-session');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        return await new Promise<unknown>((resolve, reject) => {
          const os = db.transaction(store).objectStore(store);
          const r = key === null ? os.getAll() : os.get(key);
          r.onsuccess = () => resolve(key === null ? (r.result as { id: string; name?: string }[]).map(({ id, name }) => ({ id, name })) : r.result);
          r.onerror = () => reject(r.error);
        });
      } finally {
        db.close();
      }
    }, args);
    return value as T | undefined;
  }

  /** Polls the stored user labels of a photo until `accept` holds (saves are debounced). */
  async waitForStoredUserLabels(
    photoName: string, accept: (counts: Record<number, number>) => boolean, timeoutMs = 15_000,
  ): Promise<Record<number, number>> {
    const until = Date.now() + timeoutMs;
    let last: Record<number, number> | undefined;
    while (Date.now() < until) {
      last = (await this.storedUserLabels(photoName))?.counts ?? {};
      if (accept(last)) return last;
      await this.page.waitForTimeout(150);
    }
    throw new Error(`stored user labels of ${photoName} never matched; last ${JSON.stringify(last)}`);
  }

  /** Fraction of the user-label layer's pixels that are painted. */
  async userLabelCoverage(): Promise<number> {
    return this.page.getByTestId('user-labels').evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      if (!canvas.width) return 0;
      const d = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n / (d.length / 4);
    });
  }

  /** Cluster id → name, as the legend lists them. */
  async clusterNames(): Promise<Record<number, string>> {
    const rows = await this.page.locator('[data-testid=legend] li').evaluateAll((els) =>
      els.map((e) => [Number(e.getAttribute('data-testid')?.split('-')[1]), (e.querySelector('input.cluster-name') as HTMLInputElement | null)?.value ?? ''] as const),
    );
    return Object.fromEntries(rows);
  }

  async userLabelledBadges(): Promise<number> {
    return this.page.getByTestId('user-labelled-badge').count();
  }

  // ---- adaptation (src/ui/features/adapt) ----

  /** Opens the Adapt dialog (key a), sets the options given, trains and waits for the head's report. */
  async trainHead(opts: { kind?: 'linear' | 'mlp'; epochs?: number; rounds?: 1 | 2; pseudoLabels?: boolean }, timeoutMs = 180_000): Promise<void> {
    if (!(await this.page.getByRole('dialog', { name: 'Adapt' }).isVisible())) await this.page.keyboard.press('a');
    const dialog = this.page.getByRole('dialog', { name: 'Adapt' });
    await dialog.waitFor();
    if (opts.kind) await this.page.getByTestId('adapt-kind').selectOption(opts.kind);
    if (opts.epochs) await this.page.getByTestId('adapt-epochs').fill(String(opts.epochs));
    const setBox = async (id: string, on: boolean) => (await this.page.getByTestId(id).isChecked()) !== on && this.page.getByTestId(id).click();
    if (opts.rounds) await setBox('adapt-rounds', opts.rounds === 2);
    if (opts.pseudoLabels !== undefined) await setBox('adapt-pseudo', opts.pseudoLabels);
    const before = await this.page.getByTestId('head-report').count() ? await this.page.getByTestId('head-report').innerText() : '';
    await this.page.getByTestId('adapt-train').click();
    await this.page.waitForFunction(
      (prev) => {
        const report = document.querySelector('[data-testid=head-report]');
        return !document.querySelector('[data-testid=adapt-progress]') && report && (report as HTMLElement).innerText !== prev;
      },
      before,
      { timeout: timeoutMs },
    );
  }

  async headReport(): Promise<string> {
    return this.page.getByTestId('head-report').innerText();
  }

  async adaptStatus(): Promise<string> {
    return this.page.getByTestId('adapt-status').innerText();
  }

  /** Pixels per category of a photo's stored head labels (semantic), with the head version that made them. */
  async storedHeadLabels(photoName: string): Promise<{ headVersion: number; counts: Record<number, number>; instances: number } | null> {
    const r = await this.storedResult(photoName, 'head-labels', 'semanticCategoryRowMajor');
    return r && { headVersion: r.fields.headVersion as number, counts: r.counts, instances: r.fields.instances as number };
  }

  /** A value of the session's meta store (IndexedDB), e.g. the saved head under 'adaptHead'. */
  async storedMeta<T>(key: string): Promise<T | undefined> {
    return (await this.readSession<{ value: T }>('meta', key))?.value;
  }

  /** Clicks "Export head" in the Adapt dialog and returns the downloaded file's text. */
  async exportHeadFile(): Promise<string> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('adapt-export').click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async loadHeadFile(name: string, text: string): Promise<void> {
    await this.page.getByTestId('adapt-load-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

/** Reads a slice of an image's backbone output through the `?debug` hook. */
export async function readFeatures(app: AppPage, imageName: string, which: 'keys' | 'tokens' | 'cls', count: number): Promise<number[]> {
  return app.page.evaluate(
    ([name, w, n]) =>
      (globalThis as unknown as { __u2seg: { readFeatures(a: string, b: string, c: number, d: number): Promise<number[]> } }).__u2seg.readFeatures(name, w, 0, n),
    [imageName, which, count] as const,
  );
}
