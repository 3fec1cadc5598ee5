// Page object for the app: what a user does (drop files, pick a photo) and sees (badge, feature
// view, messages), so tests read as user stories and selectors live in one place.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

  async backendBadge(): Promise<string> {
    const badge = this.page.getByTestId('backend-badge');
    await this.page.waitForFunction(() => {
      const b = document.querySelector('[data-testid=backend-badge]');
      return b && !/loading/.test(b.textContent ?? '');
    }, undefined, { timeout: 60_000 });
    return (await badge.textContent()) ?? '';
  }

  async waitForFeatureView(timeoutMs = 120_000): Promise<void> {
    await this.page.getByTestId('feature-view').waitFor({ state: 'visible', timeout: timeoutMs });
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

  async galleryCount(): Promise<number> {
    return this.page.locator('[data-testid=gallery] li').count();
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
