// A user's whole session on generated photos: drop, wait for the labels, look at the three
// views, name and merge clusters, undo, export the zip and check its COCO files, reload, still there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { unzipSync } from 'fflate';
import { generatedGroundTruth, generatedPhotos, jsonFile, truncatedJpeg } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const QUERY = '?model=tiny-vit&refine=guided';
const PHOTOS = generatedPhotos(4);

/** JPEG size from its SOF marker: an independent reading of each photo's dimensions. */
function jpegSizeHW(base64: string): [number, number] {
  const b = Buffer.from(base64, 'base64');
  for (let i = 2; i < b.length; ) {
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return [b.readUInt16BE(i + 5), b.readUInt16BE(i + 7)];
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}

describeApp('segmentation session', { webgpu: false }, (s) => {
  it('labels several photos and shows the three views', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.backendBadge();
    await app.drop(PHOTOS);
    await app.waitForOverlay();
    await app.waitForAllLabelled(PHOTOS.length);
    // The first photo's regions are painted from its tokens, before MaskCut and the CRF are done.
    const m = await app.moments();
    assert.ok(m.overlay < m.processed, `first paint ${m.overlay} ms before the first photo's masks ${m.processed} ms`);
    assert.ok(m['final-overlay'] > m.processed, 'painted again with its masks');
    for (const [key, mode] of [['1', 'semantic'], ['2', 'instance'], ['3', 'panoptic']] as const) {
      await app.page.keyboard.press(key);
      await app.waitForOverlayMode(mode);
      assert.ok(await app.overlayCoverage() > 0, `${mode} view paints something`);
      await app.screenshot(`segmentation-${mode}`);
    }
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('renames and merges clusters, undoes, and exports COCO files that match the photos', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.waitForAllLabelled(PHOTOS.length);
    await app.renameCluster(1, 'table things');
    assert.equal(await app.clusterName(1), 'table things');
    const stuffBefore = await app.stuffClusterIds();
    await app.mergeCluster(stuffBefore[1], stuffBefore[0]);
    assert.equal((await app.stuffClusterIds()).length, stuffBefore.length - 1, 'the merged cluster leaves the legend');
    await app.page.keyboard.press('Control+z');
    assert.deepEqual(await app.stuffClusterIds(), stuffBefore, 'undo brings it back');
    await app.page.keyboard.press('Control+Shift+z');
    assert.equal((await app.stuffClusterIds()).length, stuffBefore.length - 1, 'redo merges again');
    await app.screenshot('segmentation-edited');

    const zipPath = await app.exportZip();
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const instances = JSON.parse(Buffer.from(files['annotations/instances_u2seg.json']).toString()) as {
      images: { id: number; file_name: string; height: number; width: number }[];
      categories: { id: number; name: string }[];
      annotations: { image_id: number; segmentation: { size: [number, number]; counts: string } }[];
    };
    assert.equal(instances.images.length, PHOTOS.length);
    for (const im of instances.images) {
      const photo = PHOTOS.find((p) => p.name === im.file_name);
      assert.ok(photo, `${im.file_name} is one of the dropped photos`);
      assert.deepEqual([im.height, im.width], jpegSizeHW(photo.base64));
    }
    for (const a of instances.annotations) {
      const im = instances.images.find((i) => i.id === a.image_id);
      assert.deepEqual(a.segmentation.size, [im?.height, im?.width], 'RLE size is the photo size');
      assert.equal(typeof a.segmentation.counts, 'string');
    }
    assert.ok(instances.categories.some((c) => c.name === 'table things'), 'the user name is the COCO category');
    const panoptic = JSON.parse(Buffer.from(files['annotations/panoptic_u2seg.json']).toString()) as { annotations: { file_name: string }[] };
    for (const a of panoptic.annotations) assert.ok(files[`annotations/panoptic_u2seg/${a.file_name}`], `${a.file_name} is in the zip`);
    assert.equal(Object.keys(files).filter((f) => f.startsWith('semantic/')).length, PHOTOS.length);
    await app.close();
  });

  it('overlays imported COCO ground truth, and refuses a malformed file naming the bad record', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.waitForAllLabelled(PHOTOS.length);
    const bad = { images: [{ id: 1, file_name: 'a.jpg', width: 10, height: 10 }], categories: [{ id: 1, name: 'x' }], annotations: [{ id: 5, image_id: 1, category_id: 1, segmentation: [[0, 0, 1]], area: 1, bbox: [0, 0, 1, 1], iscrowd: 0 }] };
    await app.drop([{ name: 'bad.json', mimeType: 'application/json', base64: Buffer.from(JSON.stringify(bad)).toString('base64') }]);
    assert.match(await app.waitForAlert(/bad\.json was not imported/), /annotations\[0\]/);
    await app.drop([jsonFile('instances.json', generatedGroundTruth(PHOTOS.length))]);
    assert.match(await app.waitForAlert(/ground truth with/), new RegExp(`for ${PHOTOS.length} of your photos`));
    await app.page.keyboard.press('g');
    await app.waitForOverlayMode('ground-truth');
    assert.ok((await app.overlayCoverage()) > 0.05, 'ground truth covers part of the photo');
    await app.screenshot('segmentation-ground-truth');
    await app.page.keyboard.press('g');
    await app.close();
  });

  it('finds the session intact after a reload, and a corrupt photo only gives a message', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.waitForAllLabelled(PHOTOS.length);
    assert.equal(await app.clusterName(1), 'table things', 'names survive the reload');
    await app.drop([truncatedJpeg('broken.jpg')]);
    assert.match(await app.waitForAlert(/broken\.jpg/), /could not be decoded/);
    await app.page.keyboard.press('3');
    await app.waitForOverlayMode('panoptic');
    await app.screenshot('segmentation-after-reload');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
