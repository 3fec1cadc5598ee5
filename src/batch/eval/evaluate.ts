// `npm run eval` behind the CLI (method.md §7): scores pseudo labels or exported files against COCO
// ground truth: class-agnostic AP/AR (CutLER), cluster-mapped class AP (majority and Hungarian),
// and PQ on things against ground-truth panoptic maps built from the instances.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readInstancesDataset, type ParsedInstancesDataset } from '../../core/coco/instances-reader';
import type { PanopticCategory } from '../../core/metrics/pq';
import { PANOPTIC_NAME } from '../outputs';
import { runSegment, type SegmentOptions } from '../segment';
import { agnosticStats, boxMaskStats, clusterMapping, gtForEval, mappedStats, mappingCoverage, type BoxMaskStats, type MappingKind } from './instance-scores';
import { openPanoptic } from './panoptic-files';
import { PqAccumulator, type PanopticQualityResult as PqResult } from '../../core/metrics/pq';
import { gtPanopticFromInstances, relabelPrediction, type GtInstanceMask, type Relabel } from './panoptic-scores';
import { loadPredictions, matchImagesByName, type LoadedPredictions } from './predictions';

export type Row = Record<string, string | number>;

export interface EvalReport {
  rows: Row[];
  details: Record<string, unknown>;
}

const pct = (x: number) => (x < 0 ? -1 : Math.round(x * 10000) / 100);

function statRows(label: string, s: BoxMaskStats, withAr: boolean): Row[] {
  const rows: Row[] = [
    { metric: `AP ${label}`, box: pct(s.box[0]), mask: pct(s.mask[0]) },
    { metric: `AP50 ${label}`, box: pct(s.box[1]), mask: pct(s.mask[1]) },
  ];
  if (withAr) rows.push({ metric: `AR100 ${label}`, box: pct(s.box[8]), mask: pct(s.mask[8]) });
  return rows;
}

function pqRow(label: string, r: PqResult, part: 'things' | 'all' | 'stuff'): Row {
  const s = r[part];
  return { metric: `PQ ${label}`, PQ: pct(s.pq), SQ: pct(s.sq), RQ: pct(s.rq), classes: s.n };
}

/** Instance rows: class-agnostic, then per mapping kind (or direct classes when the predictions use ground-truth classes). */
function instanceRows(gtParsed: ParsedInstancesDataset, loaded: LoadedPredictions): { rows: Row[]; mappings: Map<MappingKind, Map<number, number>>; details: Record<string, unknown> } {
  const gt = gtForEval(gtParsed);
  const { preds, imageIds } = loaded;
  const rows = statRows('class-agnostic', agnosticStats(gt, preds, imageIds), true);
  const mappings = new Map<MappingKind, Map<number, number>>();
  const details: Record<string, unknown> = { predictions: preds.length, images: imageIds?.length ?? gt.images.length };
  const usesGtClasses = loaded.categoriesAreClasses && loaded.categoryIds.length > 0;
  if (usesGtClasses) rows.push(...statRows('classes as given', boxMaskStats(gt, preds, true, imageIds), false));
  for (const kind of usesGtClasses ? [] : (['majority', 'hungarian'] as const)) {
    const mapping = clusterMapping(gt, preds, loaded.categoryIds, kind, imageIds);
    mappings.set(kind, mapping);
    details[`${kind}Mapping`] = { ...mappingCoverage(mapping), clusterToClass: Object.fromEntries(mapping) };
    rows.push(...statRows(`${kind === 'majority' ? 'majority map' : 'Hungarian map'}`, mappedStats(gt, preds, mapping, imageIds), false));
  }
  return { rows, mappings, details };
}

function gtMasksByImage(gt: ParsedInstancesDataset): Map<number, GtInstanceMask[]> {
  const byImage = new Map<number, GtInstanceMask[]>();
  gt.dataset.annotations.forEach((a, i) => {
    const list = byImage.get(a.image_id) ?? [];
    list.push({ rle: gt.masks[i], categoryId: a.category_id, iscrowd: a.iscrowd });
    byImage.set(a.image_id, list);
  });
  return byImage;
}

/** PQ on things of a panoptic export against panoptic maps painted from the instances (class-agnostic and per mapping). */
async function panopticThingRows(gt: ParsedInstancesDataset, panopticPath: string, mappings: Map<MappingKind, Map<number, number>>): Promise<Row[]> {
  const source = await openPanoptic(panopticPath);
  const isThing = new Set(source.categories.filter((c) => c.isthing === 1).map((c) => c.id));
  const idMap = matchImagesByName([...source.imagesById.values()], gt.dataset.images);
  const gtImages = new Map(gt.dataset.images.map((im) => [im.id, im]));
  const masks = gtMasksByImage(gt);
  const classCats: PanopticCategory[] = gt.dataset.categories.map((c) => ({ id: c.id, isthing: 1 }));
  const variants: { label: string; gtRelabel: Relabel; predRelabel: Relabel; acc: PqAccumulator }[] = [
    { label: 'things, class-agnostic', gtRelabel: () => 1, predRelabel: (c) => (isThing.has(c) ? 1 : -1), acc: new PqAccumulator([{ id: 1, isthing: 1 }]) },
    ...[...mappings].map(([kind, m]) => ({
      label: `things, ${kind === 'majority' ? 'majority map' : 'Hungarian map'}`,
      gtRelabel: (c: number) => c,
      predRelabel: (c: number) => (isThing.has(c) ? (m.get(c) ?? -1) : -1),
      acc: new PqAccumulator(classCats),
    })),
  ];
  for (const annotation of source.annotations) {
    const imageId = idMap.get(annotation.image_id) ?? annotation.image_id;
    const image = gtImages.get(imageId);
    if (!image) throw new Error(`panoptic image ${annotation.image_id} (${annotation.file_name}) is not in the ground truth`);
    const { idMap: predMap } = await source.load(annotation);
    for (const v of variants) {
      const gtPan = gtPanopticFromInstances(masks.get(imageId) ?? [], image.height, image.width, v.gtRelabel);
      v.acc.add(gtPan, relabelPrediction(predMap, annotation.segments_info, v.predRelabel), image.file_name);
    }
  }
  return variants.map((v) => pqRow(v.label, v.acc.result(), 'things'));
}

export interface ModelEvalOptions extends Omit<SegmentOptions, 'folder' | 'finalizeOnly' | 'shard'> {
  dataDir: string;
}

/** Mode (a): segment the data set's photos (cache reused), then score the outputs. */
export async function evaluateModel(opts: ModelEvalOptions): Promise<EvalReport> {
  const gt = readInstancesDataset(new Uint8Array(await readFile(path.join(opts.dataDir, 'instances.json'))));
  const summary = await runSegment({ ...opts, folder: path.join(opts.dataDir, 'images') });
  if (!summary.finalized) throw new Error('the segment run did not finalize');
  const loaded = await loadPredictions(path.join(opts.outDir, 'instances.json'), gt);
  const inst = instanceRows(gt, { ...loaded, categoriesAreClasses: false });
  const pq = await panopticThingRows(gt, path.join(opts.outDir, 'annotations', `${PANOPTIC_NAME}.json`), inst.mappings);
  const fin = summary.finalized;
  const photos = loaded.imageIds?.length ?? gt.dataset.images.length;
  const perPhoto: Row = { metric: 'masks per photo', 'per photo': photos ? loaded.preds.length / photos : 0 };
  return {
    rows: [perPhoto, ...inst.rows, ...pq],
    details: { ...inst.details, failed: summary.failed, thingK: fin.thingK, stuffK: fin.stuffK, instances: fin.instances, outDir: opts.outDir },
  };
}

export interface FileEvalOptions {
  pred?: string;
  gt?: string;
  predPanoptic?: string;
  gtPanoptic?: string;
  /** Treat the predictions' categories as clusters to map even when their ids are ground-truth ids. */
  clusters?: boolean;
}

/** PQ of one panoptic export against another (both validated as the reference evaluator would). */
async function panopticFileRows(predPath: string, gtPath: string): Promise<Row[]> {
  const gtSource = await openPanoptic(gtPath);
  const predSource = await openPanoptic(predPath, gtSource.categories);
  const categories = gtSource.categories.map((c) => ({ id: c.id, isthing: c.isthing === 1 ? 1 : 0 }));
  const acc = new PqAccumulator(categories);
  const predByImage = new Map(predSource.annotations.map((a) => [a.image_id, a]));
  for (const gtAnn of gtSource.annotations) {
    const predAnn = predByImage.get(gtAnn.image_id);
    if (!predAnn) throw new Error(`no prediction for image ${gtAnn.image_id} (${gtAnn.file_name})`);
    const gtData = await gtSource.load(gtAnn);
    const predData = await predSource.load(predAnn);
    const keep: Relabel = (c) => c;
    acc.add(relabelPrediction(gtData.idMap, gtAnn.segments_info, keep), relabelPrediction(predData.idMap, predAnn.segments_info, keep), gtAnn.file_name);
  }
  const r = acc.result();
  return [pqRow('all', r, 'all'), pqRow('things', r, 'things'), pqRow('stuff', r, 'stuff')];
}

/** Mode (b): exported files alone. */
export async function evaluateFiles(opts: FileEvalOptions): Promise<EvalReport> {
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  if (opts.pred || opts.gt) {
    if (!opts.pred || !opts.gt) throw new Error('--pred and --gt go together');
    const gt = readInstancesDataset(new Uint8Array(await readFile(opts.gt)));
    const loaded = await loadPredictions(opts.pred, gt);
    const inst = instanceRows(gt, opts.clusters ? { ...loaded, categoriesAreClasses: false } : loaded);
    rows.push(...inst.rows);
    Object.assign(details, inst.details);
  }
  if (opts.predPanoptic || opts.gtPanoptic) {
    if (!opts.predPanoptic || !opts.gtPanoptic) throw new Error('--pred-panoptic and --gt-panoptic go together');
    rows.push(...(await panopticFileRows(opts.predPanoptic, opts.gtPanoptic)));
  }
  if (!rows.length) throw new Error('nothing to evaluate: give --pred/--gt and/or --pred-panoptic/--gt-panoptic (or --model/--data)');
  return { rows, details };
}
