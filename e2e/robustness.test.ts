// What must not break a session: a huge photo (downscaled for features, shown full size), a file
// declaring a canvas over the pixel budget (refused by its size), a processing worker that dies (it
// is replaced, the user is told, the next photo still works), and Cancel in the middle of a batch.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { declaredPng } from '../tests/helpers/declared-png';
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

  it('refuses a PNG that declares 30000×30000 px by its size, and keeps working', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    const bomb = Buffer.from(declaredPng(30000, 30000)).toString('base64');
    await app.drop([{ name: 'huge.png', mimeType: 'image/png', base64: bomb }, ...generatedPhotos(1)]);
    assert.match(await app.waitForAlert(/huge\.png/, 60_000), /huge\.png was not opened: it is 30000×30000 px \(900 megapixels\), over the 100 megapixels/);
    await app.waitForAllLabelled(1);
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('stops a batch on Esc: the photo in flight is stopped, the queued ones dropped, and it says what was kept', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&refine=crf&workers=1&stego=off');
    await app.backendBadge();
    await app.drop(generatedPhotos(8));
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid=status-labelled]').length >= 1, undefined, { timeout: 180_000 });
    await app.page.keyboard.press('Escape');
    const message = await app.waitForAlert(/Cancelled:/);
    const [, notDone, kept] = /Cancelled: (\d+) photos? not processed.*; (\d+) labelled photos? kept/.exec(message) ?? [];
    assert.ok(Number(notDone) >= 1 && Number(kept) >= 1 && Number(notDone) + Number(kept) <= 8, message);
    await app.page.waitForFunction(() => !document.querySelector('[data-testid=progress]'));
    const labelled = () => app.page.locator('[data-testid=status-labelled]').count();
    const after = await labelled();
    await app.page.waitForTimeout(3000);
    assert.equal(await labelled(), after, 'no photo is labelled after the cancel');
    assert.ok((await app.page.locator('[data-testid=status-error]').count()) >= Number(notDone), 'the photos not processed are marked');
    // The pool still works: a photo dropped now is processed.
    await app.drop(generatedPhotos(9).slice(8));
    await app.page.waitForFunction((n) => document.querySelectorAll('[data-testid=status-labelled]').length > n, after, { timeout: 180_000 });
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('replaces a crashed worker, says so, and goes on with the next photo', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&refine=none&debug');
    await app.backendBadge();
    type Hooks = { __u2seg: { crashWorker(): Promise<void>; crashSegmenter(): Promise<void> } };
    await app.page.evaluate(() => (globalThis as unknown as Hooks).__u2seg.crashWorker());
    assert.match(await app.waitForAlert(/processing worker stopped/), /fresh worker has taken over/);
    // The segmenting worker beside it too (it makes the masks, clusters and labels).
    await app.dismissMessages();
    await app.page.waitForFunction(() => !document.querySelector("[role=alert]"));
    await app.page.evaluate(() => (globalThis as unknown as Hooks).__u2seg.crashSegmenter());
    assert.match(await app.waitForAlert(/processing worker stopped/), /fresh worker has taken over/);
    await app.drop(generatedPhotos(1));
    await app.waitForAllLabelled(1);
    await app.waitForOverlay();
    await app.screenshot('robustness-after-crash');
    await app.close();
  });
});
