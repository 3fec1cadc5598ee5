// `npm run bench -- pipeline [--limit N] [--refine crf|guided|none] [--model ID] [--old jobs1|ts-crf|whole-passes] [--jobs N] [--no-old] [--no-multi] [--no-eigen]`:
// ms per photo for each stage of the batch pipeline on coco-dev (method.md §1–§5) and the wall
// clock of the whole run per photo, run twice on the same photos in one process: the old path
// (default jobs1: one photo at a time on all cores, as before phase 1 had worker threads; ts-crf:
// the TypeScript dense CRF; whole-passes: the default CNN unsplit, four whole passes a photo) and
// the new one (photos at once on worker threads, WebAssembly CRF, the default's shared stem),
// side by side with their ratio; then the same stages with the multi-view proposal
// stage (--proposals multi: crops in the backbone row, rounds + splits + grouping in the MaskCut
// row, more masks to refine); plus the MaskCut eigen-solver comparison of bench/eigen.ts (method.md
// §2 step 2) as a last table.
//
// Stages: decode (JPEG → RGBA), backbone (resize + normalise + onnxruntime-node), maskcut (affinity
// graph + Lanczos eigenvectors, all rounds), refine (upsampling + refinement + instance features),
// clustering (k-means for things and stuff, run once, shown amortised per photo), labels+merge
// (semantic labels + panoptic merge per photo), write (COCO files per photo, amortised).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cacheDir, listEntryMetas } from '../src/batch/cache';
import { resolveModelManifest } from '../src/batch/model-path';
import { defaultJobs, defaultMaxMasks, runSegment, SEGMENT_DEFAULTS } from '../src/batch/segment';
import type { ProposalMode } from '../src/core/pipeline/image-pass';
import { parseArgs, choiceFlag, intFlag } from '../src/cli/args';
import { buildDefaultCnn, DEFAULT_CNN } from '../src/model/cnn-default';
import { writeModel } from '../src/model/model-files';
import { benchEigen } from './eigen';
import { median, type Row } from './table';

const COCO_DEV_IMAGES = path.resolve(import.meta.dirname, '../../shared/data/coco-dev/images');

type Stage = { stage: string; msPerImage: number[]; note: string };

interface RunSpec {
  refine: 'crf' | 'guided' | 'none';
  denseCrf: 'wasm' | 'ts';
  jobs: number;
  proposals: ProposalMode;
  /** A manifest path or id; default the --model flag's. */
  model?: string;
}

/** The default CNN as it was before its passes shared a stem (one graph, whole passes), in a temporary folder. */
async function unsplitDefault(dir: string): Promise<string> {
  const { bytes, manifest } = await buildDefaultCnn({ ...DEFAULT_CNN, stemLayer: undefined });
  const { sha256: _s, file: _f, ...rest } = manifest;
  await writeModel(dir, bytes, rest);
  return path.join(dir, `${manifest.id}.json`);
}

async function runOnce(flags: Map<string, string>, limit: number, spec: RunSpec): Promise<{ stages: Stage[]; n: number }> {
  const { refine, denseCrf, jobs, proposals } = spec;
  const model = spec.model ?? flags.get('model');
  const outDir = mkdtempSync(path.join(tmpdir(), 'u2seg-bench-pipeline-'));
  try {
    process.stderr.write(`pipeline with the ${denseCrf === 'ts' ? 'TypeScript' : 'WebAssembly'} dense CRF, ${jobs} photo(s) at once, proposals ${proposals}…\n`);
    const t0 = performance.now();
    const summary = await runSegment({
      ...SEGMENT_DEFAULTS, refine, denseCrf, jobs, proposals, maxMasks: defaultMaxMasks(proposals), folder: flags.get('images') ?? COCO_DEV_IMAGES, outDir, model, limit, progress: process.stderr,
    });
    const wallMs = performance.now() - t0;
    const fin = summary.finalized;
    if (!fin) throw new Error('the pipeline did not finalize');
    const metas = await listEntryMetas(cacheDir(outDir));
    const n = metas.length;
    const of = (k: 'decode' | 'backbone' | 'maskcut' | 'refine') => metas.map((m) => m.timingsMs[k]);
    const instances = metas.reduce((s, m) => s + m.instances.length, 0);
    const stages: Stage[] = [
      { stage: 'decode', msPerImage: of('decode'), note: '' },
      { stage: 'backbone', msPerImage: of('backbone'), note: `${metas[0]?.gridH}×${metas[0]?.gridW} grid` },
      { stage: 'affinity+eigen (MaskCut)', msPerImage: of('maskcut'), note: `${(instances / n).toFixed(1)} masks/img kept` },
      { stage: `refinement (${refine})`, msPerImage: of('refine'), note: '' },
      { stage: 'clustering (once, amortised)', msPerImage: metas.map(() => fin.timingsMs.clustering / n), note: `${fin.thingK} thing + ${fin.stuffK} stuff clusters` },
      { stage: 'labels+merge', msPerImage: fin.labelsMsPerImage, note: '' },
      { stage: 'write COCO files (amortised)', msPerImage: metas.map(() => fin.timingsMs.write / n), note: '' },
    ];
    const perImage = metas.map((m, i) => m.timingsMs.decode + m.timingsMs.backbone + m.timingsMs.maskcut + m.timingsMs.refine + fin.labelsMsPerImage[i] + (fin.timingsMs.clustering + fin.timingsMs.write) / n);
    stages.push({ stage: 'sum of stages', msPerImage: perImage, note: `${n} coco-dev photos, model ${path.basename(resolveModelManifest(model), '.json')}` });
    // What a user waits for: phase 1 (model loading and the photos), and the whole run, over the photos.
    stages.push({ stage: 'phase 1 wall clock per photo', msPerImage: metas.map(() => (summary.phase1Ms ?? NaN) / n), note: `${jobs} photo(s) at once` });
    stages.push({ stage: 'phase 2 labels + write wall clock per photo', msPerImage: metas.map(() => (fin.timingsMs.labels + fin.timingsMs.write) / n), note: `${jobs} photo(s) at once` });
    stages.push({ stage: 'wall clock per photo', msPerImage: metas.map(() => wallMs / n), note: 'both phases (phase 2 trains STEGO from 8 photos on: the clustering row)' });
    return { stages, n };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function benchPipeline(args: string[]): Promise<{ tables: { title: string; rows: Row[] }[] }> {
  const { flags, switches } = parseArgs(args, ['no-old', 'no-multi', 'no-eigen']);
  const limit = intFlag(flags, 'limit', 1) ?? 20;
  const refine = choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine;
  const oldPath = choiceFlag(flags, 'old', ['jobs1', 'ts-crf', 'whole-passes'] as const) ?? 'jobs1';
  const jobs = intFlag(flags, 'jobs', 1) ?? defaultJobs();
  const withOld = !switches.has('no-old') && (oldPath === 'jobs1' ? jobs > 1 : oldPath === 'ts-crf' ? refine === 'crf' : true);
  const spec: RunSpec = { refine, denseCrf: 'wasm', jobs, proposals: 'reference' };
  let modelDir: string | null = null;
  const oldSpec: Record<typeof oldPath, () => Promise<RunSpec>> = {
    jobs1: async () => ({ ...spec, jobs: 1 }),
    'ts-crf': async () => ({ ...spec, denseCrf: 'ts' }),
    'whole-passes': async () => ({ ...spec, model: await unsplitDefault((modelDir = mkdtempSync(path.join(tmpdir(), 'u2seg-bench-unsplit-')))) }),
  };
  let old: Awaited<ReturnType<typeof runOnce>> | null = null;
  try {
    if (withOld) old = await runOnce(flags, limit, await oldSpec[oldPath]());
  } finally {
    if (modelDir) rmSync(modelDir, { recursive: true, force: true });
  }
  const cur = await runOnce(flags, limit, spec);
  const rows: Row[] = cur.stages.map((s, i) => {
    const o = old?.stages[i];
    return {
      stage: s.stage,
      ...(o ? { 'old median ms/img': median(o.msPerImage), 'old mean ms/img': mean(o.msPerImage) } : {}),
      'median ms/img': median(s.msPerImage),
      'mean ms/img': mean(s.msPerImage),
      'total s': s.msPerImage.reduce((a, b) => a + b, 0) / 1000,
      ...(o ? { 'old ÷ new (mean)': mean(o.msPerImage) / mean(s.msPerImage) } : {}),
      note: s.note,
    };
  });
  const multi = switches.has('no-multi') ? null : await runOnce(flags, limit, { ...spec, proposals: 'multi' });
  const multiRows: Row[] = (multi?.stages ?? []).map((s, i) => ({
    stage: s.stage,
    'median ms/img': median(s.msPerImage),
    'mean ms/img': mean(s.msPerImage),
    'total s': s.msPerImage.reduce((a, b) => a + b, 0) / 1000,
    'multi ÷ reference (mean)': mean(s.msPerImage) / mean(cur.stages[i].msPerImage),
    note: s.note,
  }));
  const eigen = switches.has('no-eigen') ? null : (process.stderr.write('eigen solver comparison (bench/eigen.ts)…\n'), await benchEigen());
  const oldNames: Record<typeof oldPath, string> = {
    jobs1: `one photo at a time, new = ${jobs} at once on worker threads`,
    'ts-crf': `TypeScript dense CRF, new = WebAssembly (${jobs} photo(s) at once)`,
    'whole-passes': `the default CNN's four whole passes, new = its shared stem (${jobs} photo(s) at once)`,
  };
  const oldName = oldNames[oldPath];
  const title = `pipeline (${cur.n} photos, refine ${refine}${old ? `; old = ${oldName}; same photos, one run` : ''})`;
  const multiTable = multi ? [{ title: `pipeline with --proposals multi (same ${multi.n} photos, refine ${refine}, WebAssembly CRF; ratio to the reference run above)`, rows: multiRows }] : [];
  return { tables: [{ title, rows }, ...multiTable, ...(eigen ? [{ title: 'MaskCut eigen solve: Lanczos vs dense', rows: eigen }] : [])] };
}
