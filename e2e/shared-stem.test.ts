// The shipped default model runs its shifted passes on a shared stem in the browser (two graphs,
// both fetched and checksummed by the worker): its features stay close to four whole passes
// (?stem=off, the unsplit model's computation) on a generated photo. No data folder needed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage, readFeatures } from './pages/app-page';

/** The default's grid with shift averaging (20 + 1 cells a side) and its token width (mixed7). */
const CELLS = 21 * 21;
const DIM = 768;

function cosines(a: number[], b: number[]): number[] {
  return Array.from({ length: CELLS }, (_, c) => {
    let ab = 0, aa = 0, bb = 0;
    for (let j = c * DIM; j < (c + 1) * DIM; j++) {
      ab += a[j] * b[j];
      aa += a[j] * a[j];
      bb += b[j] * b[j];
    }
    return ab / Math.sqrt(aa * bb || 1);
  });
}

describeApp('the default model’s shared stem', { webgpu: false }, (s) => {
  it('gives features close to four whole passes, on the same grid', async () => {
    const [photo] = generatedPhotos(1);
    const tokens: Record<string, number[]> = {};
    for (const query of ['?backend=wasm&debug&refine=none&stego=off', '?backend=wasm&debug&refine=none&stego=off&stem=off']) {
      const app = await AppPage.open(s.browser, s.url, query);
      assert.match(await app.backendBadge(), /InceptionV3/);
      await app.drop([photo]);
      await app.waitForOverlay(300_000);
      tokens[query] = await readFeatures(app, photo.name, 'tokens', CELLS * DIM + 1);
      assert.deepEqual(app.pageErrors, []);
      await app.close();
    }
    const [shared, whole] = Object.values(tokens);
    assert.equal(shared.length, CELLS * DIM, 'a 21×21 grid of 768-wide tokens');
    assert.equal(whole.length, CELLS * DIM);
    const cos = cosines(shared, whole);
    const mean = cos.reduce((x, y) => x + y, 0) / CELLS;
    // In Node (onnxruntime-node): 0.979–0.982 on the first three generated photos and 0.984 on 40
    // coco-dev photos; a stem map read transposed (heads cropped at the wrong offsets) gives 0.51–0.66.
    console.log(`shared stem vs whole passes: token cosine mean ${mean.toFixed(4)}, min ${Math.min(...cos).toFixed(4)}`);
    assert.ok(mean > 0.95, `mean token cosine ${mean}`);
  });
});
