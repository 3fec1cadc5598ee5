// The dense CRF (method.md §2 step 7) in the app's processing worker: the WebAssembly kernels
// load there (served from /wasm/, built by npm run setup) and refine a mask exactly as the
// TypeScript engine does in Node.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DenseCrf, MASKCUT_CRF_PARAMS } from '../src/core/pipeline/dense-crf';
import { generatedPhoto } from '../tests/helpers/crf-inputs';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

describeApp('dense CRF in the worker', { webgpu: false }, (s) => {
  it('runs on the WebAssembly kernels and gives the TypeScript engine\'s mask', async () => {
    const app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&debug');
    await app.backendBadge();
    const photo = generatedPhoto(97, 61, 5);
    const result = await app.page.evaluate(
      ([rgba, w, h, mask]) =>
        (globalThis as unknown as { __u2seg: { denseCrfCheck(a: number[], b: number, c: number, d: number[]): Promise<{ backend: string; mask: number[] }> } })
          .__u2seg.denseCrfCheck(rgba, w, h, mask),
      [Array.from(photo.rgba), photo.width, photo.height, Array.from(photo.masks[0])] as const,
    );
    assert.equal(result.backend, 'wasm', 'the worker uses the WebAssembly kernels');
    const expected = new DenseCrf(photo.rgba, photo.width, photo.height, MASKCUT_CRF_PARAMS, { backend: 'ts' }).refineBinaryMask(photo.masks[0]);
    assert.deepEqual(result.mask, Array.from(expected));
    assert.notDeepEqual(result.mask, Array.from(photo.masks[0]), 'the CRF moved the blocky mask');
    assert.deepEqual(app.pageErrors, []);
    await app.close();
  });
});
