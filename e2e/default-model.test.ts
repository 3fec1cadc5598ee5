// What a new user sees with the shipped default model on eight real photos (issue figures): the
// semantic maps follow the scene (no positional stripes) once STEGO's head has trained, and the
// three views are saved as screenshots to look at.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { labelAgreement, nonDecreasingSteps } from '../src/core/features/grid-pattern';
import { COCO_DEV_IMAGES } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const EIGHT = ['000000008193', '000000012448', '000000054718', '000000057345', '000000173350', '000000221184', '000000249346', '000000281789'];

describeApp('the default model on eight coco-dev photos', { webgpu: false, needs: COCO_DEV_IMAGES }, (s) => {
  it('labels them, trains STEGO, and its semantic maps have no positional pattern', async () => {
    const photos = EIGHT.map((n) => ({ name: `${n}.jpg`, mimeType: 'image/jpeg', base64: readFileSync(path.join(COCO_DEV_IMAGES, `${n}.jpg`)).toString('base64') }));
    const app = await AppPage.open(s.context, s.url, '');
    assert.match(await app.backendBadge(), /InceptionV3/);
    await app.drop(photos);
    await app.waitForAllLabelled(photos.length, 900_000);
    await app.waitForSemanticHead(photos.length, 900_000);
    assert.equal(await app.semanticSource(), 'stego');

    await app.showFeatures();
    const [gridW] = await app.featureGridSize();
    await app.showFeatures();
    const maps = [];
    for (const p of photos) {
      const map = await app.storedSemanticMap(p.name);
      assert.ok(map, `${p.name} has a stored semantic map`);
      maps.push(map);
    }
    // Two pixels d grid cells apart share a label less often as d grows; stripes one cell wide
    // made 2 apart agree more than 1 apart.
    const agreement = labelAgreement(maps, maps[0].width / gridW);
    console.log(`label agreement 1…4 cells apart: x ${agreement.x.map((a) => a.toFixed(3)).join(', ')}; y ${agreement.y.map((a) => a.toFixed(3)).join(', ')}`);
    assert.deepEqual(nonDecreasingSteps(agreement.x, 0.005), [], 'agreement falls with distance along x');
    assert.deepEqual(nonDecreasingSteps(agreement.y, 0.005), [], 'agreement falls with distance along y');

    for (const [key, mode] of [['1', 'semantic'], ['2', 'instance'], ['3', 'panoptic']] as const) {
      await app.page.keyboard.press(key);
      await app.waitForOverlayMode(mode);
      await app.screenshot(`default-model-${mode}`);
    }
    // Every photo in the semantic and instance views, to look at (issues 11 and 12).
    for (const [key, mode] of [['1', 'semantic'], ['2', 'instance']] as const) {
      await app.page.keyboard.press(key);
      for (const p of photos) {
        await app.showPhoto(p.name, mode);
        await app.screenshot(`default-model-${mode}-${p.name.replace('.jpg', '')}`);
      }
    }
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
