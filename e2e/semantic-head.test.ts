// STEGO's head in the page (method.md §4): it trains by itself once a batch of photos is labelled,
// shows its progress and loss, stops on Esc keeping what it learnt, and comes back after a reload.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const QUERY = '?model=tiny-vit&refine=none';
const PHOTOS = 8;

describeApp('semantic head (STEGO)', { webgpu: false }, (s) => {
  it('trains after the batch with progress, stops on Esc with what it learnt, and survives a reload', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.backendBadge();
    await app.dropGeneratedPhotos(PHOTOS);
    await app.waitForAllLabelled(PHOTOS);
    assert.equal(await app.semanticSource(), 'kmeans', 'k-means gives the first clusters');
    const progress = app.page.getByTestId('semantic-progress');
    await app.page.waitForFunction(() => /step (\d+) of/.exec(document.querySelector('[data-testid=semantic-progress]')?.textContent ?? '')?.[1] !== undefined && Number(/step (\d+) of/.exec(document.querySelector('[data-testid=semantic-progress]')?.textContent ?? '')?.[1]) >= 20, undefined, { timeout: 180_000 });
    assert.match((await progress.textContent()) ?? '', /Training STEGO’s head · step \d+ of 400.*loss -?\d/s);
    assert.equal(await app.page.locator('[data-testid=semantic-progress] svg.loss-curve').count(), 1, 'a loss curve is drawn');
    // This chromium has no WebGPU: the TypeScript trainer runs, and the panel says so and why.
    const backend = app.page.getByTestId('semantic-backend');
    assert.equal(await backend.textContent(), 'CPU');
    assert.match((await backend.getAttribute('title')) ?? '', /^CPU: this browser offers no WebGPU adapter/);
    await app.page.keyboard.press('Escape');
    await app.waitForSemanticHead(PHOTOS);
    const status = (await app.page.getByTestId('semantic-status').textContent()) ?? '';
    assert.match(status, /STEGO head \(8 photos, \d+ steps, stopped early\)/);
    assert.match(await app.waitForAlert(/semantic head learnt from 8 photos/), /Stopped after \d+ steps/);
    assert.equal(await backend.textContent(), 'CPU', 'the trained head says which trainer made it');
    await app.screenshot('semantic-head-stopped');

    const again = await AppPage.open(s.context, s.url, QUERY);
    await again.waitForAllLabelled(PHOTOS);
    assert.equal(await again.semanticSource(), 'stego', 'the head comes back with the session');
    assert.equal(await again.page.getByTestId('semantic-status').textContent(), status);
    assert.equal(await again.page.getByTestId('semantic-backend').textContent(), 'CPU');
    assert.deepEqual([...app.pageErrors, ...again.pageErrors], []);
    await again.close();
    await app.close();
  });
});
