// Masks made by a segmenting worker beside the model's (the photo's pixels and features handed
// over, issue 13) are the masks the model's own worker makes (?overlap=off), photo by photo.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const PHOTOS = generatedPhotos(3);
const QUERY = '?model=tiny-vit&refine=crf&stego=off';

describeApp('segmenting workers', { webgpu: false }, (s) => {
  async function masksWith(query: string) {
    // A fresh profile each: its own session store.
    const context = await s.browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const app = await AppPage.open(context, s.url, query);
      await app.backendBadge();
      await app.drop(PHOTOS);
      await app.waitForAllLabelled(PHOTOS.length);
      const masks = [];
      for (const p of PHOTOS) masks.push(await app.storedInstances(p.name));
      // The pool's workers run one script: the model's, and the segmenting ones beside it.
      const workers = app.page.workers().filter((w) => w.url().includes('backbone.worker')).length;
      assert.deepEqual(app.pageErrors, []);
      await app.close();
      return { masks, workers };
    } finally {
      await context.close();
    }
  }

  it('hands each photo to a segmenting worker and gets the same masks as without', async () => {
    const overlapped = await masksWith(QUERY);
    const alone = await masksWith(`${QUERY}&overlap=off`);
    assert.ok(alone.workers >= 1, 'the model worker is seen');
    assert.equal(overlapped.workers, 2 * alone.workers, 'a segmenting worker beside each model worker');
    assert.ok(overlapped.masks.every((m) => m && m.rles.length > 0), 'every photo has masks');
    assert.deepEqual(overlapped.masks, alone.masks);
  });
});
