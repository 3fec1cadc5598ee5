// Parity of the dense CRF (method.md §2 step 7 and §4) with the reference C++ densecrf that
// CutLER and STEGO call through pydensecrf: both engines (WebAssembly and TypeScript) must give
// the reference's labels pixel for pixel, on generated photos always and on coco-dev photos
// when ../shared/data is present. The reference is built with g++ from ../shared/reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { DenseCrf, MASK_PROB_ON, MASKCUT_CRF_PARAMS, STEGO_CRF_PARAMS, type DenseCrfBackend, type DenseCrfParams } from '../../../src/core/pipeline/dense-crf';
import { loadDenseCrfWasm } from '../../../src/runtime/dense-crf-wasm-node';
import { crfReferenceMissing, ensureCrfReference, maskProbsLabelMajor, runCrfReference } from '../../../scripts/crf-reference';
import { cocoDevPhotos, generatedPhoto, smoothProbs, toLabelMajor, type CrfPhoto } from '../../helpers/crf-inputs';
import { hasSharedData, sharedPath } from '../../helpers/shared-data';

const ENGINES: DenseCrfBackend[] = ['wasm', 'ts'];
const missing = crfReferenceMissing();
if (missing) console.warn(`SKIPPED dense CRF parity with the C++ reference: ${missing}`);
const describeWithReference = missing ? describe.skip : describe;

let bin = '';
beforeAll(async () => {
  if (missing) return;
  bin = ensureCrfReference((s) => console.log(s));
  expect(await loadDenseCrfWasm({ log: (s) => console.log(s) })).toBe('wasm');
}, 300_000);

function differingPixels(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Each engine's labels for every mask of the photo (one batch) against the reference's. */
function expectMasksMatch(photo: CrfPhoto, params: DenseCrfParams = MASKCUT_CRF_PARAMS): void {
  const refs = photo.masks.map((m) => runCrfReference(bin, photo.rgba, photo.width, photo.height, maskProbsLabelMajor(m, MASK_PROB_ON), 2, params).labels);
  for (const backend of ENGINES) {
    const crf = new DenseCrf(photo.rgba, photo.width, photo.height, params, { backend });
    expect(crf.backend).toBe(backend);
    const ours = crf.refineBinaryMasks(photo.masks);
    ours.forEach((labels, i) => expect(differingPixels(labels, refs[i]), `${backend}, ${photo.name}, mask ${i}`).toBe(0));
  }
  // The masks are not trivial: the reference moved their boundaries.
  expect(refs.some((r, i) => differingPixels(r, photo.masks[i]) > 0)).toBe(true);
}

function expectLabelsMatch(photo: CrfPhoto, k: number, seed: number, params: DenseCrfParams): void {
  const n = photo.width * photo.height;
  const probs = smoothProbs(photo.width, photo.height, k, seed);
  const ref = runCrfReference(bin, photo.rgba, photo.width, photo.height, toLabelMajor(probs, n, k), k, params).labels;
  for (const backend of ENGINES) {
    const q = new DenseCrf(photo.rgba, photo.width, photo.height, params, { backend }).inferFromProbabilities(probs, k);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (q[i * k + c] > q[i * k + best]) best = c;
      labels[i] = best;
    }
    expect(differingPixels(labels, ref), `${backend}, ${photo.name}, k ${k}`).toBe(0);
  }
}

describeWithReference('dense CRF = the C++ reference, on generated photos', () => {
  // Odd sizes: the reference's SSE lattice then also inserts the corners of padding points.
  it('MaskCut settings, 97×61 (pixel count not a multiple of 4), three masks', () => expectMasksMatch(generatedPhoto(97, 61, 1)));
  it('MaskCut settings, 160×120, three masks', () => expectMasksMatch(generatedPhoto(160, 120, 2)));
  it('MaskCut settings, 75×53 with an empty and a full mask besides', () => {
    const photo = generatedPhoto(75, 53, 3);
    photo.masks.push(new Uint8Array(75 * 53), new Uint8Array(75 * 53).fill(1));
    expectMasksMatch(photo);
  });
  it('STEGO settings, 2 labels (value size 2: the reference\'s scalar filter)', () => expectLabelsMatch(generatedPhoto(83, 67, 4), 2, 11, STEGO_CRF_PARAMS));
  it('STEGO settings, 5 labels (SSE filter), 83×67', () => expectLabelsMatch(generatedPhoto(83, 67, 5), 5, 12, STEGO_CRF_PARAMS));
  it('STEGO settings, 27 labels, 121×90', () => expectLabelsMatch(generatedPhoto(121, 90, 6), 27, 13, STEGO_CRF_PARAMS));
});

const COCO_DEV = ['coco-dev', 'images'];
const realPhotos = !missing && hasSharedData(...COCO_DEV);
if (!missing && !realPhotos) console.warn(`SKIPPED dense CRF parity on real photos: ${sharedPath(...COCO_DEV)} is absent (the generated photos above still ran)`);
(realPhotos ? describe : describe.skip)('dense CRF = the C++ reference, on coco-dev photos at label size', () => {
  it('two photos, a box and a colour-blob mask each', async () => {
    for (const photo of await cocoDevPhotos(sharedPath(...COCO_DEV), 2)) expectMasksMatch(photo);
  }, 300_000);
  it('one photo with STEGO settings and 27 labels', async () => {
    const [photo] = await cocoDevPhotos(sharedPath(...COCO_DEV), 1, 320, 2);
    expectLabelsMatch(photo, 27, 14, STEGO_CRF_PARAMS);
  }, 300_000);
});
