// The multi-view proposal stage in the browser (?proposals=multi): the backbone worker embeds the
// crops, the pass keeps more masks than MaskCut's three, and the Instances and Panoptic views paint them.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeMask } from '../src/core/coco/rle';
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
    await selectMasks(app, PHOTOS[counts.indexOf(Math.max(...counts.map((c) => c ?? 0)))].name);
    assert.deepEqual(app.pageErrors, []);
    await app.close();

    // The stored results say how they were made: a visit asking for MaskCut makes them again.
    const again = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=guided&proposals=reference&stego=off');
    await again.waitForAllLabelled(PHOTOS.length);
    const remade = await Promise.all(PHOTOS.map((p) => again.storedInstanceCount(p.name)));
    assert.ok(remade.every((c) => c !== null && c <= 3), `MaskCut's masks replace the multi-view ones: ${remade.join(', ')}`);
    assert.deepEqual(again.pageErrors, []);
    await again.close();
  });

  it('switches to more objects from the Objects panel, keeps the choice on reload, and switches back with M', async () => {
    const names = PHOTOS.map((p) => p.name);
    const plain = '?model=tiny-vit&refine=guided&stego=off';
    const app = await AppPage.open(s.context, s.url, plain);
    await app.waitForAllLabelled(PHOTOS.length);
    const panel = () => app.page.getByTestId('proposals-panel');
    assert.equal(await panel().getAttribute('data-proposals'), 'reference');
    await app.page.getByTestId('proposals-toggle').click();
    await app.waitForMade(names, 'multi');
    await app.waitForAllLabelled(PHOTOS.length);
    assert.equal(await panel().getAttribute('data-proposals'), 'multi');
    await app.screenshot('proposals-panel-multi');
    const counts = await Promise.all(names.map((n) => app.storedInstanceCount(n)));
    assert.ok(counts.some((c) => (c ?? 0) > 3), `the multi-view stage made the photos again: ${counts.join(', ')}`);
    assert.deepEqual(app.pageErrors, []);
    await app.close();

    // The choice is remembered: a reload restores the multi-view results instead of remaking them.
    const again = await AppPage.open(s.context, s.url, plain);
    await again.waitForAllLabelled(PHOTOS.length);
    assert.equal(await again.page.getByTestId('proposals-panel').getAttribute('data-proposals'), 'multi');
    assert.deepEqual(await Promise.all(names.map((n) => again.storedInstanceCount(n))), counts);
    await again.page.keyboard.press('m');
    await again.waitForMade(names, 'reference');
    await again.waitForAllLabelled(PHOTOS.length);
    const back = await Promise.all(names.map((n) => again.storedInstanceCount(n)));
    assert.ok(back.every((c) => c !== null && c <= 3), `MaskCut made them again: ${back.join(', ')}`);
    assert.deepEqual(again.pageErrors, []);
    await again.close();
  });
});

/**
 * Clicking masks on the photo with the most: the first click selects a mask under the pointer, the
 * next ones the other masks there in order of size; ↑ selects a part's whole, ↓ a whole's parts,
 * Esc clears. Wholes and parts are recomputed here from the stored masks by the rule the app
 * states (a part: ≥ 80 % inside a mask ≥ 1.2× its area; its whole: the smallest such).
 */
async function selectMasks(app: AppPage, name: string): Promise<void> {
  await app.showPhoto(name, 'panoptic');
  const stored = await app.storedInstances(name);
  assert.ok(stored && stored.rles.length > 3, `${name} has more than three stored masks`);
  const [h, w] = stored.sizeHW;
  const masks = stored.rles.map((rle) => decodeMask(rle));
  const areas = masks.map((m) => m.reduce((s, v) => s + v, 0));
  const inside = (i: number, j: number) => masks[i].reduce((s, v, p) => s + (v & masks[j][p]), 0);
  const whole = masks.map((_, i) => {
    const holders = masks.map((_, j) => j).filter((j) => j !== i && areas[j] >= 1.2 * areas[i] && inside(i, j) >= 0.8 * areas[i]);
    return holders.length ? holders.reduce((a, b) => (areas[b] < areas[a] ? b : a)) : -1;
  });
  const part = whole.findIndex((wi) => wi >= 0);
  assert.ok(part >= 0, `some mask of ${name} is a part of another: wholes ${whole.join(',')}`);
  // A pixel of the part that its whole covers too, away from the part's edge where possible.
  let at = -1;
  for (let p = 0; p < h * w && at < 0; p++) if (masks[part][p] && masks[whole[part]][p] && masks[part][p + 1] && masks[part][p + w]) at = p;
  const [x, y] = [at % w, Math.floor(at / w)];
  const covering = masks.map((_, i) => i).filter((i) => masks[i][at]);

  await app.clickOverlayPixel(x, y);
  let selected = await app.waitForSelection();
  assert.ok(covering.includes(Number(selected)), `the click selects a mask under the pointer: ${selected} in ${covering.join(',')}`);
  const seen = new Set([selected]);
  for (let n = 1; n < covering.length; n++) {
    await app.clickOverlayPixel(x, y);
    selected = await app.waitForSelection(selected);
    seen.add(selected);
  }
  assert.deepEqual([...seen].map(Number).sort((a, b) => a - b), covering, 'clicking again reaches every mask under the pointer');
  while (selected !== String(part)) {
    await app.clickOverlayPixel(x, y);
    selected = await app.waitForSelection(selected);
  }
  await app.screenshot('proposals-selected-part');
  await app.page.keyboard.press('ArrowUp');
  selected = await app.waitForSelection(selected);
  assert.equal(selected, String(whole[part]), '↑ selects the part\'s whole');
  await app.page.keyboard.press('ArrowDown');
  selected = await app.waitForSelection(selected);
  const parts = whole.map((wi, i) => (wi === whole[part] ? i : -1)).filter((i) => i >= 0);
  assert.equal(selected, parts.join(','), '↓ selects the whole\'s parts');
  await app.screenshot('proposals-selected-parts');
  await app.page.keyboard.press('Escape');
  await app.page.getByTestId('selection-bar').waitFor({ state: 'detached' });
}
