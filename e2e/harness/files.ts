// Test inputs: photos generated here with known shapes (tests/helpers/synthetic-photos.ts) and
// their COCO ground truth, crafted bad files, and the real photos of ../shared/data for the few suites that need them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { syntheticGroundTruth, syntheticPhoto, type SyntheticPhoto } from '../../tests/helpers/synthetic-photos';

export const SHARED_DATA = path.resolve(import.meta.dirname, '../../../shared/data');
export const COCO_DEV_IMAGES = path.join(SHARED_DATA, 'coco-dev/images');

export interface DropFile {
  name: string;
  mimeType: string;
  base64: string;
}

export function hasCocoDev(): boolean {
  return existsSync(COCO_DEV_IMAGES);
}

/** The first n coco-dev photos in name order, as files to drop (benchmarks on real photos). */
export function cocoDevPhotos(n: number): DropFile[] {
  return readdirSync(COCO_DEV_IMAGES)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, n)
    .map((name) => ({ name, mimeType: 'image/jpeg', base64: readFileSync(path.join(COCO_DEV_IMAGES, name)).toString('base64') }));
}

/** The size of the generated photos: COCO-like proportions, small enough for quick runs. */
const GENERATED_SIZE = { width: 400, height: 300 };

function generated(i: number): SyntheticPhoto {
  return syntheticPhoto(i, GENERATED_SIZE.width, GENERATED_SIZE.height, `photo-${String(i).padStart(2, '0')}.jpg`);
}

/** The first n generated photos (seeds 0…n−1, the same every run), as files to drop. */
export function generatedPhotos(n: number): DropFile[] {
  return Array.from({ length: n }, (_, i) => {
    const p = generated(i);
    return { name: p.name, mimeType: 'image/jpeg', base64: Buffer.from(p.jpeg).toString('base64') };
  });
}

/** COCO instances of the first n generated photos, computed from what was drawn. */
export function generatedGroundTruth(n: number): ReturnType<typeof syntheticGroundTruth> {
  return syntheticGroundTruth(Array.from({ length: n }, (_, i) => generated(i)));
}

export function jsonFile(name: string, value: unknown): DropFile {
  return { name, mimeType: 'application/json', base64: Buffer.from(JSON.stringify(value)).toString('base64') };
}

export function textFile(name: string, text: string): DropFile {
  return { name, mimeType: 'text/plain', base64: Buffer.from(text).toString('base64') };
}

/** A JPEG whose header is real but whose data stops after 300 bytes. */
export function truncatedJpeg(name: string): DropFile {
  const bytes = Buffer.from(generated(0).jpeg).subarray(0, 300);
  return { name, mimeType: 'image/jpeg', base64: bytes.toString('base64') };
}
