// End to end on the built app: a generated photo dropped on the page becomes a feature view
// computed by onnxruntime-web on WASM; bad files give readable messages and the page keeps working.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { generatedPhotos, textFile, truncatedJpeg } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

describeApp('foundation: drop a photo, see its features', { webgpu: false }, (s) => {
  it('shows the feature view of a dropped photo, computed on WASM with threads', async () => {
    // One worker, so that it gets every core as WASM threads (cross-origin isolation works).
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none&workers=1');
    const badge = await app.backendBadge();
    assert.match(badge, /^WASM · [2-9] threads/, `badge says "${badge}"`);
    await app.drop(generatedPhotos(1));
    await app.waitForOverlay();
    await app.showFeatures();
    await app.waitForFeatureView();
    assert.equal(await app.featureViewHasColour(), true, 'the feature view is painted with many colours');
    await app.screenshot('foundation-photo-features');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('refuses a non-image and a corrupt photo with readable messages and keeps working', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    await app.drop([textFile('notes.txt', 'not a photo'), textFile('holiday.jpg', 'renamed text')]);
    assert.match(await app.waitForAlert(/notes\.txt/), /not an image/);
    assert.match(await app.waitForAlert(/holiday\.jpg/), /corrupt or renamed/);
    await app.drop([truncatedJpeg('broken.jpg')]);
    assert.match(await app.waitForAlert(/broken\.jpg/), /could not be decoded/);
    await app.drop(generatedPhotos(2).slice(1));
    await app.page.getByTestId('gallery').getByText(generatedPhotos(2)[1].name).click();
    await app.waitForOverlay();
    await app.screenshot('foundation-bad-input');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('takes a whole folder from the folder picker, photos in, other files refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'u2seg-folder-'));
    const photos = generatedPhotos(5).slice(3);
    photos.forEach((p) => writeFileSync(path.join(dir, p.name), Buffer.from(p.base64, 'base64')));
    writeFileSync(path.join(dir, 'notes.txt'), 'not a photo');
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    const before = await app.galleryCount();
    await app.page.getByTestId('folder-input').setInputFiles(dir);
    assert.match(await app.waitForAlert(/notes\.txt/), /not an image/);
    await app.page.waitForFunction((n) => document.querySelectorAll('[data-testid=gallery] li').length === n, before + photos.length);
    await app.close();
  });

  it('brings the photos back after a reload', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.page.getByTestId('gallery').waitFor();
    await app.waitForAllLabelled(2);
    const before = await app.galleryCount();
    assert.ok(before >= 2, `photos from the earlier tests are listed (${before})`);
    await app.page.reload();
    await app.page.getByTestId('gallery').waitFor();
    await app.page.waitForFunction((n) => document.querySelectorAll('[data-testid=gallery] li').length === n, before);
    await app.waitForOverlay();
    await app.screenshot('foundation-after-reload');
    await app.close();
  });
});
