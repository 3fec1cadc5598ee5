// The multi-view proposal stage in the browser (?proposals=multi): the backbone worker embeds the
// crops, the pass keeps more masks than MaskCut's three, and the Instances and Panoptic views paint them.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const PHOTOS = generatedPhotos(3);

describeApp('multi-view proposals', { webgpu: false }, (s) => {
  it('stores more instances than MaskCut keeps and shows them in the instance and panoptic views', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=guided&proposals=multi&stego=off');
    await app.drop(PHOTOS);
    await app.waitForAllLabelled(PHOTOS.length);
    const counts = await Promise.all(PHOTOS.map((p) => app.storedInstanceCount(p.name)));
    assert.ok(counts.every((c) => c !== null && c >= 1), `every photo has instances: ${counts.join(', ')}`);
    assert.ok(counts.some((c) => (c ?? 0) > 3), `some photo has more than MaskCut's N = 3: ${counts.join(', ')}`);
    for (const [key, mode] of [['2', 'instance'], ['3', 'panoptic']] as const) {
      await app.page.keyboard.press(key);
      await app.waitForOverlayMode(mode);
      assert.ok((await app.overlayCoverage()) > 0, `${mode} view paints something`);
      await app.screenshot(`proposals-${mode}`);
    }
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
