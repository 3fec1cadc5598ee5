// Few-shot adaptation in the browser (method.md §6): the user paints a class of their own on one
// photo, trains the head in the adapt worker, the photos switch to the head's classes; the head is
// exported, removed, loaded back from the file, and survives a reload.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { decode as decodePng } from 'fast-png';
import { unzipSync } from 'fflate';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const QUERY = '?model=tiny-vit&refine=none';
const PHOTOS = generatedPhotos(3);

describeApp('adaptation', { webgpu: false }, (s) => {
  it('trains a head on painted labels, shows, exports, reloads and loads it back', async () => {
    const app = await AppPage.open(s.context, s.url, QUERY);
    await app.drop(PHOTOS);
    await app.waitForAllLabelled(PHOTOS.length);
    await app.page.getByText(PHOTOS[0].name).first().click().catch(() => undefined);

    await app.enterLabelMode();
    const mine = await app.addLabelClass('my object', 'thing');
    await app.dragOverPhoto([[0.2, 0.3], [0.8, 0.3], [0.8, 0.5], [0.2, 0.5], [0.2, 0.7], [0.8, 0.7]]);
    const painted = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[mine] ?? 0) > 1000);
    await app.page.keyboard.press('l');

    await app.trainHead({ kind: 'linear', epochs: 15, rounds: 2 });
    await app.screenshot('adapt-dialog');
    const report = await app.headReport();
    assert.match(report, /Linear head, trained on the CPU/);
    assert.match(report, /my object/);
    const rows = await app.page.locator('[data-testid=head-report] tbody tr').allInnerTexts();
    assert.equal(rows.length, 2, `two self-training rounds reported: ${rows.join(' | ')}`);
    const agreement = Number(/(\d+(?:\.\d+)?) %\s+\S+\s*$/.exec(rows[0].replace(/\t/g, ' '))?.[1] ?? NaN);
    assert.ok(agreement >= 50, `round 1 gets most of the painted patches right (${rows[0]})`);

    const labelled = await app.storedHeadLabels(PHOTOS[0].name);
    assert.ok(labelled, 'the painted photo has head labels');
    const mineShare = (labelled.counts[mine] ?? 0) / Object.values(labelled.counts).reduce((a, b) => a + b, 0);
    assert.ok(mineShare > 0.1, `the head paints the user's class over part of the painted photo (${(100 * mineShare).toFixed(1)} %; painted ${JSON.stringify(painted)})`);
    for (const photo of PHOTOS.slice(1)) assert.ok(await app.storedHeadLabels(photo.name), `${photo.name} is relabelled by the head too`);
    // Stop mid-training (Esc): the head keeps what it learnt and says so.
    await app.page.getByTestId('adapt-kind').selectOption('mlp');
    await app.page.getByTestId('adapt-epochs').fill('100');
    await app.page.getByTestId('adapt-train').click();
    await app.page.locator('[data-testid=adapt-progress][data-phase=training]').waitFor();
    await app.page.keyboard.press('Escape');
    await app.page.getByTestId('head-report').filter({ hasText: 'stopped early' }).waitFor({ timeout: 60_000 });
    assert.match(await app.headReport(), /MLP \(128 hidden\) head/);
    await app.trainHead({ kind: 'linear', epochs: 15, rounds: 2 });

    await app.page.getByRole('button', { name: 'Close' }).click();
    await app.waitForOverlay();
    assert.match(await app.adaptStatus(), /head: \d+ classes, shown/);
    await app.screenshot('adapt-head-labels');

    // The export holds what is shown: the head's labels, with the user's class as a COCO category.
    const files = unzipSync(new Uint8Array(readFileSync(await app.exportZip())));
    const instances = JSON.parse(Buffer.from(files['annotations/instances_u2seg.json']).toString()) as {
      categories: { id: number; name: string }[];
      annotations: { category_id: number }[];
    };
    assert.ok(instances.categories.some((c) => c.id === mine && c.name === 'my object'));
    const thingIds = new Set(instances.categories.map((c) => c.id));
    assert.ok(instances.annotations.every((a) => thingIds.has(a.category_id)), 'every instance has a thing category');
    const stem = PHOTOS[0].name.replace(/\.[^.]*$/, '');
    const semantic = decodePng(files[`semantic/${stem}.png`]);
    const values = semantic.data as Uint8Array | Uint16Array;
    assert.ok(values.some((v) => v === mine), "the semantic PNG of the painted photo carries the user's class");

    await app.page.keyboard.press('t');
    assert.match(await app.adaptStatus(), /hidden/);
    await app.page.keyboard.press('t');

    await app.page.keyboard.press('a');
    const file = await app.exportHeadFile();
    const json = JSON.parse(file) as { format: string; classNames: string[]; info: { modelId: string } };
    assert.equal(json.format, 'u2seg-patch-head');
    assert.ok(json.classNames.includes('my object'));
    assert.equal(json.info.modelId, 'tiny-vit');

    app.page.once('dialog', (d) => void d.accept());
    await app.page.getByRole('button', { name: 'Remove head' }).click();
    await app.page.waitForFunction(() => document.querySelector('[data-testid=adapt-status]')?.textContent === 'no head yet');

    await app.loadHeadFile('u2seg-head.json', file);
    await app.page.waitForFunction(() => /head: \d+ classes, shown/.test(document.querySelector('[data-testid=adapt-status]')?.textContent ?? ''));
    const reloaded = await app.storedHeadLabels(PHOTOS[0].name);
    assert.ok(reloaded && reloaded.headVersion > labelled.headVersion, 'the loaded head relabels the photos');
    assert.deepEqual(reloaded.counts, labelled.counts, 'the loaded head labels exactly as the trained one did');

    await app.loadHeadFile('not-a-head.json', '{"hello": 1}');
    await app.waitForAlert(/not-a-head\.json was not loaded as a head: not a u2seg-patch-head file/);

    // Re-clustering renumbers the clusters: "my object" and its painted pixels follow; the head,
    // which learnt the replaced clusters' pseudo labels, is removed with a message.
    await app.page.getByRole('button', { name: 'Close' }).click();
    const thingCount = await app.page.locator('[data-testid=legend] ul').first().locator('li').count();
    app.page.once('dialog', (d) => void d.accept());
    await app.page.locator('form.recluster input').fill(String(thingCount + 1));
    await app.page.getByRole('button', { name: 'Re-cluster' }).click();
    const moved = await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => !c[mine] && Object.values(c).includes(painted[mine]), 60_000);
    const names = await app.clusterNames();
    const newId = Number(Object.keys(names).find((id) => names[Number(id)] === 'my object'));
    assert.equal(moved[newId], painted[mine], `the painted pixels now carry the class's new id ${newId}`);
    await app.waitForAlert(/head learnt clusters that are now replaced, so it was removed/);
    assert.equal(await app.adaptStatus(), 'no head yet');
    await app.waitForAllLabelled(PHOTOS.length);
    await app.screenshot('adapt-after-recluster');

    // A head of named classes only (pseudo labels off: the user's class and nothing else) follows a re-cluster.
    await app.dismissMessages();
    await app.enterLabelMode();
    const other = await app.addLabelClass('my background', 'stuff');
    await app.dragOverPhoto([[0.05, 0.9], [0.95, 0.9]]);
    await app.waitForStoredUserLabels(PHOTOS[0].name, (c) => (c[other] ?? 0) > 500);
    await app.page.keyboard.press('Escape');
    await app.trainHead({ kind: 'linear', epochs: 10, rounds: 1, pseudoLabels: false });
    assert.match(await app.headReport(), /2 classes: my object, my background/);
    const before = await app.storedHeadLabels(PHOTOS[0].name);
    await app.page.getByRole('button', { name: 'Close' }).click();
    app.page.once('dialog', (d) => void d.accept());
    await app.page.locator('form.recluster input').fill(String(thingCount));
    await app.page.getByRole('button', { name: 'Re-cluster' }).click();
    let after = await app.storedHeadLabels(PHOTOS[0].name);
    for (let i = 0; i < 150 && !(after && before && after.headVersion > before.headVersion); i++) {
      await app.page.waitForTimeout(200);
      after = await app.storedHeadLabels(PHOTOS[0].name);
    }
    assert.ok(before && after && after.headVersion > before.headVersion, 'the head is installed again on the new clusters');
    const renamed = await app.clusterNames();
    const ids = (name: string) => Object.keys(renamed).map(Number).filter((id) => renamed[id] === name);
    assert.deepEqual(Object.values(after.counts).sort(), Object.values(before.counts).sort(), 'the head labels the same pixels');
    const newIds = new Set([...ids('my object'), ...ids('my background')]);
    assert.equal(newIds.size, 2);
    for (const id of Object.keys(after.counts).map(Number)) assert.ok(newIds.has(id), `category ${id} is one of the classes' new ids`);

    await app.page.reload();
    await app.waitForAllLabelled(PHOTOS.length);
    await app.page.waitForFunction(() => document.querySelector('[data-testid=adapt-status]')?.textContent === 'head: 2 classes, shown');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});

describeApp('adaptation survives its worker', { webgpu: false }, (s) => {
  it('says so when the adaptation worker dies mid-training, and trains again with a fresh one', async () => {
    const app = await AppPage.open(s.context, s.url, `${QUERY}&debug`);
    await app.drop(PHOTOS.slice(0, 2));
    await app.waitForAllLabelled(2);
    await app.page.keyboard.press('a');
    await app.page.getByTestId('adapt-kind').selectOption('mlp');
    await app.page.getByTestId('adapt-epochs').fill('100');
    await app.page.getByTestId('adapt-train').click();
    await app.page.locator('[data-testid=adapt-progress][data-phase=training]').waitFor();
    await app.page.evaluate(() => (globalThis as unknown as { __u2seg: { crashAdaptWorker(): Promise<void> } }).__u2seg.crashAdaptWorker());
    assert.match(await app.waitForAlert(/Adaptation failed/, 60_000), /the adaptation worker stopped/);
    await app.page.getByTestId('adapt-train').waitFor({ state: 'visible' });
    await app.trainHead({ kind: 'linear', epochs: 3, rounds: 1 });
    assert.match(await app.headReport(), /Linear head, trained on the CPU/);
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});

describeApp('adaptation on WebGPU', { webgpu: true }, (s) => {
  it('trains the head with WebGPU compute when chosen (SwiftShader here: agreement, not speed)', async () => {
    const app = await AppPage.open(s.context, s.url, `${QUERY}&backend=wasm`);
    await app.drop(PHOTOS.slice(0, 2));
    await app.waitForAllLabelled(2);
    await app.page.keyboard.press('a');
    await app.page.getByTestId('adapt-backend').selectOption('webgpu');
    await app.trainHead({ kind: 'linear', epochs: 3, rounds: 1 });
    assert.match(await app.headReport(), /Linear head, trained on WebGPU/);
    for (const photo of PHOTOS.slice(0, 2)) assert.ok(await app.storedHeadLabels(photo.name), `${photo.name} is labelled by the WebGPU-trained head`);
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
