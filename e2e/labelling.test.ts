// The user's own labels on generated photos: Label mode, a new class, a brush stroke, the eraser,
// a segment fill, undo, a reload that keeps them, and imported ground truth used as labels.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedGroundTruth, generatedPhotos, jsonFile } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const QUERY = '?model=tiny-vit&refine=none';
const PHOTOS = generatedPhotos(2);
const GT = generatedGroundTruth(PHOTOS.length);

const sum = (counts: Record<number, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describeApp('labelling: the user’s own labels', { webgpu: false }, (s) => {
  let classId = 0;
  let afterUndo: Record<number, number> = {};

  it('paints, erases, fills and undoes, and every edit reaches the store', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.drop(PHOTOS);
    await app.waitForAllLabelled(PHOTOS.length);
    await app.page.keyboard.press('3');
    await app.waitForOverlayMode('panoptic');
    await app.enterLabelMode();

    classId = await app.addLabelClass('my cup', 'thing');
    assert.equal(await app.labelClass(), classId, 'a new class becomes the class to paint');
    const tableIds = Object.keys(await app.clusterNames()).map(Number);
    assert.equal(classId, Math.max(...tableIds), 'its id is above every other');

    // Brush: radius 8 label px, a horizontal stroke across 60% of the photo.
    const [, width] = await app.labelLayerSizeHW();
    await app.dragOverPhoto([[0.2, 0.5], [0.5, 0.5], [0.8, 0.5]]);
    const painted = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[classId] ?? 0) > 0);
    const expected = 0.6 * width * 16 + Math.PI * 64;
    assert.ok(Math.abs(painted[classId] - expected) < 0.15 * expected, `a stroke of ${painted[classId]} px, about ${expected.toFixed(0)}`);
    assert.deepEqual(Object.keys(painted).map(Number), [classId], 'only the chosen class was painted');
    assert.ok((await app.userLabelCoverage()) > 0, 'the layer shows the stroke');

    // A pen stroke, sparse samples: continuous all the same.
    await app.penStrokeOverPhoto([[0.2, 0.25], [0.5, 0.25], [0.8, 0.25]]);
    const withPen = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[classId] ?? 0) > painted[classId]);
    assert.ok(Math.abs(withPen[classId] - 2 * painted[classId]) < 0.1 * painted[classId], 'the pen stroke is as long as the mouse one');
    Object.assign(painted, withPen);

    // Eraser: the middle of the stroke goes back to unlabelled.
    await app.page.keyboard.press('e');
    await app.dragOverPhoto([[0.45, 0.5], [0.55, 0.5]]);
    const erased = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[classId] ?? 0) < painted[classId]);
    assert.ok(erased[classId] > 0.6 * painted[classId], 'the ends of the stroke stay');

    // Fill: a segment of the panoptic view takes the class (void spots are retried elsewhere).
    await app.page.keyboard.press('x');
    let filled: Record<number, number> | null = null;
    for (const [fx, fy] of [[0.5, 0.15], [0.15, 0.85], [0.85, 0.2], [0.5, 0.9]] as [number, number][]) {
      await app.clickPhoto(fx, fy);
      filled = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[classId] ?? 0) > erased[classId], 3000).catch(() => null);
      if (filled) break;
    }
    assert.ok(filled, 'a segment fill adds pixels');
    assert.equal(await app.userLabelledBadges(), 1, 'the gallery marks the photo');
    assert.match(await app.page.getByTestId('user-labelled-count').textContent() ?? '', /^1 photo labelled by you$/);
    await app.screenshot('labelling-painted');

    // Undo (Ctrl+Z in Label mode) takes back the fill only; redo and undo again.
    await app.page.keyboard.press('Control+z');
    afterUndo = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => c[classId] === erased[classId]);
    await app.page.keyboard.press('Control+Shift+z');
    await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => c[classId] === filled[classId]);
    await app.page.keyboard.press('Control+z');
    afterUndo = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => c[classId] === erased[classId]);

    // Zoomed in, space-drag pans instead of painting.
    const stage = await app.page.getByTestId('stage').boundingBox();
    assert.ok(stage);
    await app.page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await app.page.mouse.wheel(0, -600);
    const zoomed = await app.stageTransform();
    await app.page.keyboard.down(' ');
    await app.page.mouse.down();
    await app.page.mouse.move(stage.x + stage.width / 2 + 80, stage.y + stage.height / 2 + 40, { steps: 5 });
    await app.page.mouse.up();
    await app.page.keyboard.up(' ');
    assert.notEqual(await app.stageTransform(), zoomed, 'the photo moved');
    await app.page.waitForTimeout(600);
    assert.deepEqual((await app.storedUserLabels(PHOTOS[0].name))?.counts, afterUndo, 'and nothing was painted');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('finds the labels and the new class again after a reload', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.waitForAllLabelled(PHOTOS.length);
    assert.equal((await app.clusterNames())[classId], 'my cup', 'the added class is in the legend');
    assert.deepEqual((await app.storedUserLabels(PHOTOS[0].name))?.counts, afterUndo);
    await app.page.waitForFunction(() => (document.querySelector('[data-testid=user-labels]') as HTMLElement | null)?.dataset.photo);
    assert.ok((await app.userLabelCoverage()) > 0, 'the stored labels are drawn over the photo');
    assert.equal(await app.userLabelledBadges(), 1);
    await app.page.keyboard.press('v');
    assert.equal(await app.page.getByTestId('user-labels').evaluate((c) => (c as HTMLElement).style.opacity), '0', 'v hides the layer');
    await app.page.keyboard.press('v');
    await app.screenshot('labelling-after-reload');
    await app.page.keyboard.press('?');
    const help = app.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const label of ['Label mode', 'Brush', 'Eraser', 'Fill segment', 'Bigger brush', 'Use ground truth as my labels (this photo)']) {
      await help.getByText(label, { exact: false }).first().waitFor();
    }
    await app.screenshot('labelling-help');
    await app.page.keyboard.press('?');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('uses imported ground truth as the labels of a photo', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.waitForAllLabelled(PHOTOS.length);
    await app.drop([jsonFile('instances.json', GT)]);
    await app.waitForAlert(/ground truth with/);
    await app.page.keyboard.press('ArrowRight');
    await app.enterLabelMode();
    await app.page.keyboard.press('u');
    await app.waitForAlert(/Ground truth is now your labels on 1 photo/);

    // What the drawing says of the second photo, known here independently of the app's reader.
    const gt = GT;
    const image = gt.images.find((im) => im.file_name.split('/').pop() === PHOTOS[1].name);
    assert.ok(image, 'the photo is in the ground truth');
    const mine = gt.annotations.filter((a) => a.image_id === image.id);
    const catName = (id: number) => gt.categories.find((c) => c.id === id)?.name.toLowerCase() ?? `category ${id}`;
    const names = new Set(mine.filter((a) => !a.iscrowd).map((a) => catName(a.category_id)));

    const stored = await app.storedUserLabels(PHOTOS[1].name);
    assert.ok(stored);
    assert.deepEqual(stored.sizeHW, [image.height, image.width], 'coco photos are labelled at their own size');
    const table = await app.clusterNames();
    const storedNames = new Set(Object.keys(stored.counts).map((id) => table[Number(id)]?.toLowerCase() ?? `unknown ${id}`));
    assert.ok(storedNames.has('background'), 'unannotated pixels are "background"');
    for (const n of storedNames) assert.ok(n === 'background' || names.has(n), `${n} is a ground-truth category of the photo`);
    const visible = mine.filter((a) => !a.iscrowd && a.area > 400).map((a) => catName(a.category_id));
    for (const n of visible) assert.ok(storedNames.has(n), `${n} is labelled`);
    const crowdArea = mine.filter((a) => a.iscrowd).reduce((t, a) => t + a.area, 0);
    const all = image.width * image.height;
    assert.ok(Math.abs(stored.labelledPixels - (all - crowdArea)) < 0.02 * all, 'every pixel but crowds is labelled');
    assert.equal(sum(stored.counts), stored.labelledPixels);
    assert.equal(await app.userLabelledBadges(), 2);
    await app.screenshot('labelling-ground-truth');

    // The replacement is one undo step on the shown photo.
    await app.page.keyboard.press('Control+z');
    await app.waitForStoredUserLabels(PHOTOS[1].name, (c) => sum(c) === 0);
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
