// Paints imported COCO ground truth over a photo for comparison with the pseudo labels
// (method.md §7 scores against the same annotations): instances by category colour, with outlines.
import type { ParsedInstancesDataset } from '../coco/instances-reader';
import { decodeMask, rleArea } from '../coco/rle';
import { instanceColour } from './overlay';

export interface GroundTruthImage {
  width: number;
  height: number;
  /** Annotation index + 1 per pixel, 0 = none; larger annotations painted first so small ones stay visible. */
  idsRowMajor: Uint32Array;
  /** Per painted id: category name and whether it is a crowd region. */
  labels: { name: string; crowd: boolean; areaPx: number }[];
}

/** Rasterises the annotations of one image (matched by file name, as users' folders have no COCO ids). */
export function groundTruthFor(parsed: ParsedInstancesDataset, fileName: string): GroundTruthImage | null {
  const { dataset, masks } = parsed;
  const base = fileName.split('/').pop();
  const image = dataset.images.find((im) => im.file_name.split('/').pop() === base);
  if (!image) return null;
  const names = new Map(dataset.categories.map((c) => [c.id, c.name]));
  const mine = dataset.annotations.map((a, i) => ({ a, mask: masks[i] })).filter(({ a }) => a.image_id === image.id);
  mine.sort((x, y) => rleArea(y.mask) - rleArea(x.mask));
  const ids = new Uint32Array(image.width * image.height);
  const labels = mine.map(({ a, mask }, k) => {
    const bits = decodeMask(mask);
    for (let i = 0; i < bits.length; i++) if (bits[i]) ids[i] = k + 1;
    return { name: names.get(a.category_id) ?? `category ${a.category_id}`, crowd: a.iscrowd === 1, areaPx: rleArea(mask) };
  });
  return { width: image.width, height: image.height, idsRowMajor: ids, labels };
}

/** RGBA overlay: each annotation in its category's colour (crowd regions grey), white outlines. */
export function renderGroundTruth(gt: GroundTruthImage, categoryColour: (name: string) => [number, number, number]): Uint8ClampedArray {
  const { width, height, idsRowMajor: ids } = gt;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!id) continue;
    const label = gt.labels[id - 1];
    const rgb = label.crowd ? [150, 150, 150] : categoryColour(label.name);
    const x = i % width, y = (i - x) / width;
    const edge = (x + 1 < width && ids[i + 1] !== id) || (y + 1 < height && ids[i + width] !== id) || (x > 0 && ids[i - 1] !== id) || (y > 0 && ids[i - width] !== id);
    out.set(edge ? [255, 255, 255, 255] : [rgb[0], rgb[1], rgb[2], 200], i * 4);
  }
  return out;
}

/** A stable colour per category name. */
export function nameColour(name: string): [number, number, number] {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return instanceColour(h % 997);
}
