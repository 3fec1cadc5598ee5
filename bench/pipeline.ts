// `npm run bench -- pipeline [--limit N] [--refine crf|guided|none] [--model ID]`: ms per photo for
// each stage of the batch pipeline on coco-dev (method.md §1–§5), plus the MaskCut eigen-solver
// comparison of bench/eigen.ts (method.md §2 step 2) as a second table.
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
import { runSegment, SEGMENT_DEFAULTS } from '../src/batch/segment';
import { parseArgs, choiceFlag, intFlag } from '../src/cli/args';
import { benchEigen } from './eigen';
import { median, type Row } from './table';

const COCO_DEV_IMAGES = path.resolve(import.meta.dirname, '../../shared/data/coco-dev/images');

function stageRow(stage: string, msPerImage: number[], note = ''): Row {
  const total = msPerImage.reduce((a, b) => a + b, 0);
  return { stage, 'median ms/img': median(msPerImage), 'mean ms/img': total / msPerImage.length, 'total s': total / 1000, note };
}

export async function benchPipeline(args: string[]): Promise<{ tables: { title: string; rows: Row[] }[] }> {
  const { flags } = parseArgs(args);
  const limit = intFlag(flags, 'limit', 1) ?? 20;
  const refine = choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine;
  const outDir = mkdtempSync(path.join(tmpdir(), 'u2seg-bench-pipeline-'));
  try {
    const summary = await runSegment({
      ...SEGMENT_DEFAULTS, refine, folder: flags.get('images') ?? COCO_DEV_IMAGES, outDir, model: flags.get('model'), limit, progress: process.stderr,
    });
    const fin = summary.finalized;
    if (!fin) throw new Error('the pipeline did not finalize');
    const metas = await listEntryMetas(cacheDir(outDir));
    const n = metas.length;
    const of = (k: 'decode' | 'backbone' | 'maskcut' | 'refine') => metas.map((m) => m.timingsMs[k]);
    const instances = metas.reduce((s, m) => s + m.instances.length, 0);
    const pipeline: Row[] = [
      stageRow('decode', of('decode')),
      stageRow('backbone', of('backbone'), `${metas[0]?.gridH}×${metas[0]?.gridW} grid`),
      stageRow('affinity+eigen (MaskCut)', of('maskcut'), `${(instances / n).toFixed(1)} masks/img kept`),
      stageRow(`refinement (${refine})`, of('refine')),
      stageRow('clustering (once, amortised)', metas.map(() => fin.timingsMs.clustering / n), `${fin.thingK} thing + ${fin.stuffK} stuff clusters`),
      stageRow('labels+merge', fin.labelsMsPerImage),
      stageRow('write COCO files (amortised)', metas.map(() => fin.timingsMs.write / n)),
    ];
    const perImage = metas.map((m, i) => m.timingsMs.decode + m.timingsMs.backbone + m.timingsMs.maskcut + m.timingsMs.refine + fin.labelsMsPerImage[i] + (fin.timingsMs.clustering + fin.timingsMs.write) / n);
    pipeline.push(stageRow('total', perImage, `${n} coco-dev photos, model ${path.basename(resolveModelManifest(flags.get('model')), '.json')}`));
    process.stderr.write('eigen solver comparison (bench/eigen.ts)…\n');
    const eigen = await benchEigen();
    return { tables: [{ title: `pipeline (${n} photos, refine ${refine})`, rows: pipeline }, { title: 'MaskCut eigen solve: Lanczos vs dense', rows: eigen }] };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
