// Test inputs: real photos from ../shared/data (never copied into the repo) and crafted bad files.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

/** The first n coco-dev photos in name order, as files to drop. */
export function cocoDevPhotos(n: number): DropFile[] {
  return readdirSync(COCO_DEV_IMAGES)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, n)
    .map((name) => ({ name, mimeType: 'image/jpeg', base64: readFileSync(path.join(COCO_DEV_IMAGES, name)).toString('base64') }));
}

export function textFile(name: string, text: string): DropFile {
  return { name, mimeType: 'text/plain', base64: Buffer.from(text).toString('base64') };
}

/** A JPEG whose header is real but whose data stops after 300 bytes. */
export function truncatedJpeg(name: string): DropFile {
  const photo = cocoDevPhotos(1)[0];
  const bytes = Buffer.from(photo.base64, 'base64').subarray(0, 300);
  return { name, mimeType: 'image/jpeg', base64: bytes.toString('base64') };
}
