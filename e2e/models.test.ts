// End to end on the built app (Models panel): a dropped DINO .pth is converted to ONNX in the model
// worker, cached, selected and used for features; bad model files and offline downloads are refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { generatedPhotos, type DropFile } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

const DINO_FIXTURES = path.resolve(import.meta.dirname, '../tests/fixtures/dino');
const BINARY = 'application/octet-stream';

function fixture(name: string, asName = name, keepBytes?: number): DropFile {
  const bytes = readFileSync(path.join(DINO_FIXTURES, name)).subarray(0, keepBytes);
  return { name: asName, mimeType: BINARY, base64: bytes.toString('base64') };
}

/** Deterministic noise that starts with no image or checkpoint signature. */
function randomBytes(name: string, length: number): DropFile {
  const bytes = Buffer.from(Uint8Array.from({ length }, (_, i) => ((i + 7) * 2654435761) >>> 24));
  return { name, mimeType: BINARY, base64: bytes.toString('base64') };
}

/** tiny_dino.pth: embed 48 (not a multiple of 64), so it needs "Heads" = 4; patch 8 → 28×28 at 224 px. */
const TINY_NAME = /DINO ViT-d48\/8 \(224 px\) · tiny_dino\.pth/;

describeApp('models: import, convert, select, refuse', { webgpu: false }, (s) => {
  it('converts a dropped DINO .pth at 224 px, lists it, selects it and computes features with it', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    await app.waitForModel(/Tiny ViT/);
    assert.deepEqual((await app.models()).filter((m) => m.active).map((m) => m.id), ['tiny-vit']);
    await app.setConversion({ inputSizePx: 224, numHeads: 4 });
    await app.drop([fixture('tiny_dino.pth')]);
    const id = await app.waitForModel(TINY_NAME);
    assert.equal(id, 'file-tiny-dino-224');
    const badge = await app.waitForActiveModel(TINY_NAME);
    assert.match(badge, /^WASM · (\d+ workers × )?\d+ threads? · DINO ViT-d48\/8/);
    assert.deepEqual((await app.models()).filter((m) => m.active).map((m) => m.id), [id]);
    await app.drop(generatedPhotos(1));
    await app.waitForOverlay();
    await app.showFeatures();
    await app.waitForFeatureView();
    assert.equal(await app.featureViewHasColour(), true, 'the feature view is painted with many colours');
    assert.deepEqual(await app.featureGridSize(), [28, 28], 'patch 8 at 224 px gives a 28×28 grid');
    await app.screenshot('models-imported-dino');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('refuses bad model files with messages naming the problem, and keeps working', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    await app.drop([fixture('tiny_dino.pth', 'no_heads.pth')]);
    assert.match(await app.waitForAlert(/no_heads\.pth/), /embed dim 48 is not a multiple of 64.*"Heads"/);
    const size = readFileSync(path.join(DINO_FIXTURES, 'tiny_dino.pth')).length;
    await app.drop([fixture('tiny_dino.pth', 'truncated.pth', size >> 1)]);
    assert.match(await app.waitForAlert(/truncated\.pth/), /not imported: not a PyTorch checkpoint: .*truncated/);
    await app.drop([randomBytes('random.onnx', 4096)]);
    assert.match(await app.waitForAlert(/random\.onnx/), /not imported: .*not an ONNX model \(the file is truncated or not protobuf\)/);
    await app.importModelFiles([fixture('tiny_proto4.pth', 'other_net.pth')]);
    assert.match(await app.waitForAlert(/other_net\.pth/), /not a DINO ViT state dict: missing "cls_token"/);
    const imported = (await app.models()).filter((m) => m.imported).map((m) => m.id);
    assert.deepEqual(imported, ['file-tiny-dino-224'], 'nothing bad was cached');
    await app.drop(generatedPhotos(2).slice(1));
    await app.page.getByTestId('gallery').getByText(generatedPhotos(2)[1].name).click();
    await app.waitForOverlay();
    await app.showFeatures();
    await app.waitForFeatureView();
    assert.deepEqual(await app.featureGridSize(), [14, 14], 'tiny-vit (patch 16 at 224 px) is still in use');
    await app.screenshot('models-refusals');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('says clearly that an official checkpoint cannot be downloaded offline', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    await app.downloadCheckpoint('dino-vits16');
    const text = await app.waitForAlert(/could not download/i);
    assert.match(text, /could not download DINO ViT-S\/16 from https:\/\/dl\.fbaipublicfiles\.com\/.* — the browser is offline or the server refused/i);
    assert.match(text, /download the \.pth yourself and drop it here/);
    await app.page.getByTestId('model-job').waitFor({ state: 'detached' });
    await app.screenshot('models-offline');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('shows a download in progress and cancels it; a stand-in server\'s checkpoint is converted and used', async () => {
    const app = await AppPage.open(s.context, s.url, '?model=tiny-vit&refine=none');
    await app.backendBadge();
    await app.waitForModel(/Tiny ViT/);
    await app.page.route(/dino_deitsmall8_pretrain\.pth$/, () => {}); // never answers: a stalled download
    await app.downloadCheckpoint('dino-vits8');
    await app.page.getByTestId('model-job').filter({ hasText: /Downloading DINO ViT-S\/8/ }).waitFor();
    await app.screenshot('models-download-progress');
    await app.page.getByTestId('model-job-cancel').click();
    assert.match(await app.waitForAlert(/Download of DINO ViT-S\/8/), /cancelled/);
    await app.page.getByTestId('model-job').waitFor({ state: 'detached' });
    // The tiny checkpoint stands in for the official ViT-B/8 file (the test machine has no internet).
    const body = readFileSync(path.join(DINO_FIXTURES, 'tiny_dino.pth'));
    await app.page.route(/dino_vitbase8_pretrain\.pth$/, (route) =>
      route.fulfill({ status: 200, body, headers: { 'content-type': BINARY, 'access-control-allow-origin': '*' } }),
    );
    await app.setConversion({ inputSizePx: 224, numHeads: 4 });
    await app.downloadCheckpoint('dino-vitb8');
    assert.equal(await app.waitForModel(/^DINO ViT-d48\/8 \(224 px\)$/), 'dino-vit-d48p8-224');
    await app.waitForActiveModel(/· DINO ViT-d48\/8 \(224 px\)$/);
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });

  it('remembers the last model in a new tab, loads it from the cache, and deletes imported models', async () => {
    // No ?model=: the last choice (the model downloaded above) comes from the browser's model cache.
    const app = await AppPage.open(s.context, s.url, '?refine=none');
    await app.waitForActiveModel(/· DINO ViT-d48\/8 \(224 px\)$/);
    await app.waitForOverlay();
    await app.showFeatures();
    await app.waitForFeatureView();
    assert.deepEqual(await app.featureGridSize(), [28, 28], 'the cached model computed the restored photos');
    await app.selectModel(/Tiny ViT/);
    await app.waitForActiveModel(/Tiny ViT/);
    await app.screenshot('models-list');
    await app.deleteModel(TINY_NAME);
    await app.deleteModel(/^DINO ViT-d48\/8 \(224 px\)$/);
    await app.page.reload();
    await app.waitForActiveModel(/Tiny ViT/);
    await app.waitForModel(/Tiny ViT/);
    assert.deepEqual((await app.models()).filter((m) => m.imported), [], 'deleted models stay deleted');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
