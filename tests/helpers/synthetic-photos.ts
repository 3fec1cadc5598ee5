// Photos the tests draw themselves (so functional tests need no data folder): a sky gradient, a
// textured ground band and a few coloured discs and boxes at seeded places, as JPEG bytes, with their COCO ground truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { mulberry32 } from '../../src/core/random';

/** One drawn object; discs have radius rPx, boxes are 2·rPx wide and 1.4·rPx tall. */
export interface SyntheticObject {
  shape: 'disc' | 'box';
  cxPx: number;
  cyPx: number;
  rPx: number;
  /** Index into SYNTHETIC_CATEGORIES (its COCO category id is colourIndex + 1). */
  colourIndex: number;
}

export interface SyntheticPhoto {
  name: string;
  width: number;
  height: number;
  rgba: Uint8Array;
  jpeg: Uint8Array;
  /** In drawing order: later objects cover earlier ones. */
  objects: SyntheticObject[];
}

const OBJECT_COLOURS: [number, number, number][] = [[184, 50, 42], [240, 200, 40], [40, 90, 200], [230, 230, 230], [30, 30, 30]];
/** The ground truth's categories, one per object colour (ids 1…5). */
export const SYNTHETIC_CATEGORIES = ['red thing', 'yellow thing', 'blue thing', 'white thing', 'black thing'];

function inside(o: SyntheticObject, x: number, y: number): boolean {
  return o.shape === 'box' ? Math.abs(x - o.cxPx) < o.rPx && Math.abs(y - o.cyPx) < o.rPx * 0.7 : (x - o.cxPx) ** 2 + (y - o.cyPx) ** 2 < o.rPx ** 2;
}

export function syntheticPhoto(seed: number, width = 160, height = 120, name = `synthetic-${String(seed).padStart(3, '0')}.jpg`): SyntheticPhoto {
  const rng = mulberry32(seed + 1);
  const rgba = new Uint8Array(width * height * 4);
  const horizon = Math.round(height * (0.5 + 0.25 * rng()));
  const objects: SyntheticObject[] = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => ({
    cxPx: width * (0.15 + 0.7 * rng()), cyPx: height * (0.35 + 0.45 * rng()), rPx: height * (0.08 + 0.14 * rng()),
    shape: rng() < 0.5 ? 'box' : 'disc', colourIndex: Math.floor(rng() * OBJECT_COLOURS.length),
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = (rng() - 0.5) * 24;
      let c: [number, number, number] = y < horizon ? [127 + (y / horizon) * 100, 178 + (y / horizon) * 60, 230] : [74 + noise, 122 + noise, 58 + noise];
      for (const o of objects) {
        const colour = OBJECT_COLOURS[o.colourIndex];
        if (inside(o, x, y)) c = [colour[0] + noise / 3, colour[1] + noise / 3, colour[2] + noise / 3];
      }
      rgba.set([c[0], c[1], c[2], 255].map((v) => Math.max(0, Math.min(255, Math.round(v)))), (y * width + x) * 4);
    }
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, 90).data;
  return { name, width, height, rgba, jpeg: new Uint8Array(encoded), objects };
}

/** Writes `count` synthetic photos (seeds 0…count−1) into dir; returns their names. */
export function writeSyntheticPhotos(dir: string, count: number, size: { width?: number; height?: number } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const p = syntheticPhoto(i, size.width, size.height);
    writeFileSync(path.join(dir, p.name), p.jpeg);
    return p.name;
  });
}

/** Index of the object drawn on top at pixel (x, y) of the photo, −1 for sky and ground. */
export function objectAt(photo: SyntheticPhoto, x: number, y: number): number {
  for (let k = photo.objects.length - 1; k >= 0; k--) if (inside(photo.objects[k], x, y)) return k;
  return -1;
}

/** The outline of an object clipped to the photo, as a COCO polygon [x0, y0, x1, y1, …] (32 sides for a disc). */
function outline(o: SyntheticObject, width: number, height: number): number[] {
  const clampX = (x: number) => Math.min(width, Math.max(0, x)), clampY = (y: number) => Math.min(height, Math.max(0, y));
  const points: [number, number][] = o.shape === 'box'
    ? [[-1, -0.7], [1, -0.7], [1, 0.7], [-1, 0.7]].map(([dx, dy]) => [o.cxPx + dx * o.rPx, o.cyPx + dy * o.rPx])
    : Array.from({ length: 32 }, (_, k) => [o.cxPx + o.rPx * Math.cos((k * Math.PI) / 16), o.cyPx + o.rPx * Math.sin((k * Math.PI) / 16)]);
  return points.flatMap(([x, y]) => [Math.round(clampX(x) * 100) / 100, Math.round(clampY(y) * 100) / 100]);
}

export interface SyntheticGroundTruth {
  images: { id: number; file_name: string; width: number; height: number }[];
  categories: { id: number; name: string; supercategory: string }[];
  annotations: { id: number; image_id: number; category_id: number; segmentation: number[][]; area: number; bbox: [number, number, number, number]; iscrowd: 0 }[];
}

/**
 * COCO instances for the photos, computed from the drawing, not from any code under test: each
 * object's polygon, its visible pixel count as area (objects drawn later cover it) and its box.
 */
export function syntheticGroundTruth(photos: readonly SyntheticPhoto[], firstImageId = 1): SyntheticGroundTruth {
  const gt: SyntheticGroundTruth = {
    images: [],
    categories: SYNTHETIC_CATEGORIES.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' })),
    annotations: [],
  };
  photos.forEach((p, i) => {
    const imageId = firstImageId + i;
    gt.images.push({ id: imageId, file_name: p.name, width: p.width, height: p.height });
    p.objects.forEach((o, k) => {
      let area = 0;
      for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) if (inside(o, x, y) && !p.objects.slice(k + 1).some((later) => inside(later, x, y))) area++;
      if (!area) return;
      const xy = outline(o, p.width, p.height);
      const xs = xy.filter((_, j) => j % 2 === 0), ys = xy.filter((_, j) => j % 2 === 1);
      const bbox: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
      gt.annotations.push({ id: gt.annotations.length + 1, image_id: imageId, category_id: o.colourIndex + 1, segmentation: [xy], area, bbox, iscrowd: 0 });
    });
  });
  return gt;
}
