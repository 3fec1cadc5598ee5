// What must not break a session: a huge photo (downscaled for features, shown full size) and a
// processing worker that dies (it is replaced, the user is told, the next photo still works).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

describeApp('robustness', { webgpu: false }, (s) => {
  it('segments an 8000×6000 photo and keeps its full size', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&refine=guided');
    await app.backendBadge();
    await app.dropGeneratedJpeg('huge.jpg', 8000, 6000);
    await app.waitForAllLabelled(1);
    await app.waitForOverlay();
    assert.match((await app.page.locator('figcaption').first().textContent()) ?? '', /huge\.jpg · 8000×6000/);
    const overlay = await app.page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
    assert.deepEqual(overlay, [640, 480], 'labels are computed on a downscaled copy');
    await app.screenshot('robustness-huge-photo');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('replaces a crashed worker, says so, and goes on with the next photo', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&refine=none&debug');
    await app.backendBadge();
    await app.page.evaluate(() => (globalThis as unknown as { __u2seg: { crashWorker(): Promise<void> } }).__u2seg.crashWorker());
    assert.match(await app.waitForAlert(/processing worker stopped/), /fresh worker has taken over/);
    await app.drop(generatedPhotos(1));
    await app.waitForAllLabelled(1);
    await app.waitForOverlay();
    await app.screenshot('robustness-after-crash');
    await app.close();
  });
});
