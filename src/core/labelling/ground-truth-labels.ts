// Imported COCO ground truth as the user's own labels (few-shot targets, method.md §6): category
// names matched to the cluster table, then rasterised at the photo's label resolution.
//
// Matching: a GT name takes the cluster of the same name (case-insensitive; unmerged clusters first,
// a merged one stands for the cluster it was merged into); a name without one becomes a new thing
// class. Pixels of no annotation take a stuff class "background" (created when missing); crowd
// regions stay 0 (unlabelled). Annotations are painted largest first (targets.ts), so small objects
// lying on larger ones keep their pixels.
import { groundTruthClassMap, type GtInstance } from '../adapt/targets';
import { IGNORE_TARGET } from '../adapt/train';
import type { ParsedInstancesDataset } from '../coco/instances-reader';
import type { CocoImage } from '../coco/types';
import { resizeNearestLabels } from '../export/session-export';
import type { SizeHW } from '../pipeline/upsample';
import { newUserCluster, resolveCluster, type ClusterEdit, type ClusterTable } from '../session/cluster-table';

export const BACKGROUND_CLASS_NAME = 'background';

export interface GroundTruthClassPlan {
  /** 'add' edits for the classes to create, in order (apply them as one undoable step). */
  edits: ClusterEdit[];
  /** Category id for each GT name, keyed by the lower-cased name. */
  idByName: Record<string, number>;
  backgroundId: number;
}

const key = (name: string) => name.trim().toLowerCase();

/** Decides which cluster every GT name (and the background) becomes, creating what is missing. */
export function planGroundTruthClasses(table: ClusterTable, names: readonly string[]): GroundTruthClassPlan {
  const byName = new Map<string, number>();
  // Merged clusters first so that an unmerged cluster of the same name wins.
  const clusters = Object.values(table).sort((a, b) => Number(a.mergedInto == null) - Number(b.mergedInto == null) || b.id - a.id);
  for (const c of clusters) byName.set(key(c.name), resolveCluster(table, c.id));
  let working = table;
  const edits: ClusterEdit[] = [];
  const idFor = (name: string, kind: 'thing' | 'stuff'): number => {
    const existing = byName.get(key(name));
    if (existing !== undefined) return existing;
    const cluster = newUserCluster(working, kind, name);
    working = { ...working, [cluster.id]: cluster };
    edits.push({ type: 'add', cluster });
    byName.set(key(name), cluster.id);
    return cluster.id;
  };
  const idByName: Record<string, number> = {};
  for (const name of names) if (key(name)) idByName[key(name)] = idFor(name, 'thing');
  return { edits, idByName, backgroundId: idFor(BACKGROUND_CLASS_NAME, 'stuff') };
}

/** The GT image of a photo, matched by file name without folders (users' folders have no COCO ids). */
export function groundTruthImageFor(parsed: ParsedInstancesDataset, fileName: string): CocoImage | null {
  const base = fileName.split('/').pop();
  return parsed.dataset.images.find((im) => im.file_name.split('/').pop() === base) ?? null;
}

/** Category names annotated (not as crowd) in the listed photos, in first-seen order. */
export function groundTruthNames(parsed: ParsedInstancesDataset, fileNames: readonly string[]): string[] {
  const imageIds = new Set(fileNames.map((f) => groundTruthImageFor(parsed, f)?.id).filter((id) => id !== undefined));
  const names = new Map(parsed.dataset.categories.map((c) => [c.id, c.name]));
  const out = new Set<string>();
  for (const a of parsed.dataset.annotations) {
    if (!imageIds.has(a.image_id) || a.iscrowd === 1) continue;
    out.add(names.get(a.category_id) ?? `category ${a.category_id}`);
  }
  return [...out];
}

/**
 * User-label map of one photo from its GT at `labelSizeHW`: category ids per `idByName` (lower-cased
 * names; a name missing there stays 0), `backgroundId` where nothing is annotated, 0 under crowds.
 * Null when the photo has no GT image.
 */
export function groundTruthUserLabels(
  parsed: ParsedInstancesDataset, fileName: string, labelSizeHW: SizeHW, idByName: Readonly<Record<string, number>>, backgroundId: number,
): Uint16Array | null {
  const image = groundTruthImageFor(parsed, fileName);
  if (!image) return null;
  const names = new Map(parsed.dataset.categories.map((c) => [c.id, c.name]));
  // The class map is 8-bit: category ids go through a small index (0 = background).
  const idOfIndex = [backgroundId];
  const indexOfId = new Map<number, number>([[backgroundId, 0]]);
  const instances: GtInstance[] = [];
  parsed.dataset.annotations.forEach((a, i) => {
    if (a.image_id !== image.id) return;
    const id = idByName[key(names.get(a.category_id) ?? `category ${a.category_id}`)];
    let classIndex = -1;
    if (id) {
      if (!indexOfId.has(id)) {
        indexOfId.set(id, idOfIndex.length);
        idOfIndex.push(id);
      }
      classIndex = indexOfId.get(id) ?? -1;
    }
    if (idOfIndex.length > IGNORE_TARGET) throw new Error(`more than ${IGNORE_TARGET - 1} ground-truth classes in one photo`);
    instances.push({ rle: parsed.masks[i], classIndex, iscrowd: a.iscrowd });
  });
  const atPhotoSize = groundTruthClassMap(instances, { height: image.height, width: image.width }, 0);
  const atLabelSize = resizeNearestLabels(atPhotoSize, { height: image.height, width: image.width }, labelSizeHW.height, labelSizeHW.width);
  return Uint16Array.from(atLabelSize, (v) => (v === IGNORE_TARGET ? 0 : idOfIndex[v]));
}
