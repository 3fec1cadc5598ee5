// `npm run bench -- crf [--limit N] [--semantic N] [--images DIR] [--model ID]`: the dense CRF of
// method.md §2 step 7 (and §4's 27-label case) side by side on the same inputs, in one run:
// the TypeScript engine (the old path), the WebAssembly engine (the new path), and the reference
// C++ densecrf (built with g++ from ../shared/reference, as the parity test does).
//
// MaskCut rows: the first N coco-dev photos at the pipeline's label size (fitted within 640 px)
// and their real MaskCut masks (default model: decode, backbone, MaskCut, upsampling). Per photo,
// in this order: old path (the image's lattices once, then mask by mask, as MaskRefiner did),
// new path (lattices once, all masks as one batch), reference (one process per mask, as CutLER
// calls pydensecrf per mask; its own setup + inference timers, no process start or file I/O).
// 27-label rows: STEGO's settings on the first M photos with smooth random probabilities.
// Every output is compared with the reference's, pixel by pixel.
import path from 'node:path';
import { argmaxRows } from '../src/core/adapt/predict';
import { fitWithin, toNormalisedNchw } from '../src/core/image/resize';
import { DenseCrf, MASK_PROB_ON, MASKCUT_CRF_PARAMS, STEGO_CRF_PARAMS, type DenseCrfBackend } from '../src/core/pipeline/dense-crf';
import { maskCut } from '../src/core/pipeline/maskcut';
import { upsampleMaskCutMasks } from '../src/core/pipeline/upsample';
import { resizeRgba } from '../src/batch/image-stage';
import { listImages } from '../src/batch/image-list';
import { resolveModelManifest } from '../src/batch/model-path';
import { parseArgs, intFlag } from '../src/cli/args';
import { loadDenseCrfWasm } from '../src/runtime/dense-crf-wasm-node';
import { openNodeBackbone } from '../src/runtime/ort-node';
import { readImageFile } from '../src/runtime/node-image';
import { crfReferenceMissing, ensureCrfReference, maskProbsLabelMajor, runCrfReference } from '../scripts/crf-reference';
import { smoothProbs, toLabelMajor } from '../tests/helpers/crf-inputs';
import { median, type Row } from './table';

const COCO_DEV_IMAGES = path.resolve(import.meta.dirname, '../../shared/data/coco-dev/images');
const LABEL_MAX_SIDE = 640;

interface Photo {
  name: string;
  width: number;
  height: number;
  rgba: Uint8Array;
  masks: Uint8Array[];
}

/** Photos at label size with the masks the pipeline would refine. */
async function photosWithMasks(folder: string, limit: number, model?: string): Promise<Photo[]> {
  const session = await openNodeBackbone(resolveModelManifest(model));
  const m = session.manifest;
  const out: Photo[] = [];
  try {
    for (const f of (await listImages(folder, [])).slice(0, limit)) {
      const photo = await readImageFile(f.absPath);
      const features = await session.run(toNormalisedNchw(photo, m.inputSize, m.mean, m.std));
      const [h, w] = fitWithin([photo.height, photo.width], LABEL_MAX_SIDE);
      const { data } = resizeRgba(photo, w, h);
      const cut = maskCut(features.keys, features.gridH, features.gridW, features.keyDim, { tau: m.tau });
      const masks = upsampleMaskCutMasks(cut.masks, cut.gridH, cut.gridW, { height: h, width: w }).filter((mk) => mk.some((v) => v));
      if (masks.length) out.push({ name: f.key, width: w, height: h, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), masks });
    }
  } finally {
    await session.release();
  }
  return out;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

interface Tally {
  msPerPhoto: number[];
  masks: number;
  differing: number;
}

const tally = (): Tally => ({ msPerPhoto: [], masks: 0, differing: 0 });

function rows(label: string, t: Record<'old' | 'new' | 'ref' | 'refInfer', Tally>, units: string, notes: [string, string, string, string]): Row[] {
  const total = (x: Tally) => x.msPerPhoto.reduce((a, b) => a + b, 0);
  const newTotal = total(t.new);
  const row = (path: string, x: Tally, note: string): Row => ({
    case: label,
    path,
    [`median ms/${units}`]: median(x.msPerPhoto),
    [`mean ms/${units}`]: total(x) / x.msPerPhoto.length,
    'ms/mask': total(x) / Math.max(1, x.masks),
    'time ÷ new': total(x) / newTotal,
    'differing px vs C++': x === t.refInfer ? '' : x === t.ref ? 0 : x.differing,
    note,
  });
  return [
    row('old: TypeScript', t.old, notes[0]),
    row('new: WebAssembly', t.new, notes[1]),
    row('C++ reference', t.ref, notes[2]),
    row('C++ reference, inference only', t.refInfer, notes[3]),
  ];
}

export async function benchCrf(args: string[]): Promise<{ tables: { title: string; rows: Row[] }[] }> {
  const { flags } = parseArgs(args);
  const limit = intFlag(flags, 'limit', 1) ?? 8;
  const semantic = intFlag(flags, 'semantic', 0) ?? 2;
  const missing = crfReferenceMissing();
  if (missing) throw new Error(`the crf benchmark compares with the C++ reference, which cannot be built: ${missing}`);
  const bin = ensureCrfReference((s) => process.stderr.write(`${s}\n`));
  if ((await loadDenseCrfWasm()) !== 'wasm') throw new Error('the WebAssembly kernels did not load');
  process.stderr.write(`MaskCut masks of ${limit} photos (decode, backbone, MaskCut)…\n`);
  const photos = await photosWithMasks(flags.get('images') ?? COCO_DEV_IMAGES, limit, flags.get('model'));
  const mc = { old: tally(), new: tally(), ref: tally(), refInfer: tally() };
  for (const [i, p] of photos.entries()) {
    const refs = p.masks.map((m) => runCrfReference(bin, p.rgba, p.width, p.height, maskProbsLabelMajor(m, MASK_PROB_ON), 2, MASKCUT_CRF_PARAMS));
    const timed = (backend: DenseCrfBackend, t: Tally) => {
      const t0 = performance.now();
      const crf = new DenseCrf(p.rgba, p.width, p.height, MASKCUT_CRF_PARAMS, { backend });
      const out = backend === 'wasm' ? crf.refineBinaryMasks(p.masks) : p.masks.map((m) => crf.refineBinaryMask(m));
      t.msPerPhoto.push(performance.now() - t0);
      t.masks += p.masks.length;
      t.differing += out.reduce((s, o, k) => s + differing(o, refs[k].labels), 0);
    };
    timed('ts', mc.old);
    timed('wasm', mc.new);
    mc.ref.msPerPhoto.push(refs.reduce((s, r) => s + r.setupMs + r.inferenceMs, 0));
    mc.refInfer.msPerPhoto.push(refs.reduce((s, r) => s + r.inferenceMs, 0));
    mc.ref.masks += p.masks.length;
    mc.refInfer.masks += p.masks.length;
    process.stderr.write(`  ${i + 1}/${photos.length} ${p.name} ${p.width}×${p.height}, ${p.masks.length} masks: old ${mc.old.msPerPhoto.at(-1)?.toFixed(0)} ms, new ${mc.new.msPerPhoto.at(-1)?.toFixed(0)} ms, C++ ${mc.ref.msPerPhoto.at(-1)?.toFixed(0)} ms\n`);
  }
  const k = 27;
  const st = { old: tally(), new: tally(), ref: tally(), refInfer: tally() };
  for (const [i, p] of photos.slice(0, semantic).entries()) {
    const n = p.width * p.height;
    const probs = smoothProbs(p.width, p.height, k, 100 + i);
    const ref = runCrfReference(bin, p.rgba, p.width, p.height, toLabelMajor(probs, n, k), k, STEGO_CRF_PARAMS);
    for (const [backend, t] of [['ts', st.old], ['wasm', st.new]] as const) {
      const t0 = performance.now();
      const q = new DenseCrf(p.rgba, p.width, p.height, STEGO_CRF_PARAMS, { backend }).inferFromProbabilities(probs, k);
      t.msPerPhoto.push(performance.now() - t0);
      t.masks++;
      t.differing += differing(argmaxRows(q, n, k), ref.labels);
    }
    st.ref.msPerPhoto.push(ref.setupMs + ref.inferenceMs);
    st.refInfer.msPerPhoto.push(ref.inferenceMs);
    st.ref.masks++;
    st.refInfer.masks++;
    process.stderr.write(`  27 labels ${i + 1}/${semantic}: old ${st.old.msPerPhoto.at(-1)?.toFixed(0)} ms, new ${st.new.msPerPhoto.at(-1)?.toFixed(0)} ms, C++ ${st.ref.msPerPhoto.at(-1)?.toFixed(0)} ms\n`);
  }
  const masks = mc.new.masks;
  const tables = [{
    title: `dense CRF, MaskCut settings: ${photos.length} coco-dev photos at label size, ${masks} real MaskCut masks (${(masks / photos.length).toFixed(1)}/photo)`,
    rows: rows('MaskCut masks', mc, 'photo', [
      'lattices once per photo, masks one by one', 'lattices once per photo, masks in one batch',
      'lattices + inference per mask (CutLER)', 'its inference alone: a lower bound',
    ]),
  }];
  if (semantic) tables.push({ title: `dense CRF, STEGO settings, ${k} labels: ${st.new.msPerPhoto.length} photos, smooth random probabilities`, rows: rows(`${k} labels`, st, 'photo', [
    'lattices + inference', 'lattices + inference', 'lattices + inference', 'its inference alone',
  ]) });
  return { tables };
}
