// Shared set-up for the batch and CLI tests: the seeded tiny ViT written to a temp folder, and temp
// photo folders of generated photos (tests/helpers/synthetic-photos.ts), so no data folder is needed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeModel } from '../../src/model/model-files';
import { buildTinyVitOnnx, tinyVitManifest } from '../../src/model/vit/tiny-vit';
import { syntheticPhoto, type SyntheticPhoto } from '../helpers/synthetic-photos';

/** Four generated photos of different sizes, named by numbers as COCO's are (image id = the number). */
const PHOTO_SPECS: { name: string; seed: number; width: number; height: number }[] = [
  { name: '000000000101.jpg', seed: 11, width: 240, height: 180 },
  { name: '000000000202.jpg', seed: 12, width: 180, height: 240 },
  { name: '000000000303.jpg', seed: 13, width: 300, height: 200 },
  { name: '000000000404.jpg', seed: 14, width: 224, height: 224 },
];

export const PHOTOS = PHOTO_SPECS.map((p) => p.name);
export const PHOTO_IDS = PHOTOS.map((n) => Number(n.replace('.jpg', '')));

const drawn = new Map<string, SyntheticPhoto>();

/** The generated photo of that name (drawn once per test file). */
export function photo(name: string): SyntheticPhoto {
  const spec = PHOTO_SPECS.find((p) => p.name === name);
  if (!spec) throw new Error(`no generated photo named ${name}`);
  let p = drawn.get(name);
  if (!p) drawn.set(name, (p = syntheticPhoto(spec.seed, spec.width, spec.height, name)));
  return p;
}

/** [height, width] of a generated photo. */
export function photoSizeHW(name: string): [number, number] {
  const spec = PHOTO_SPECS.find((p) => p.name === name);
  if (!spec) throw new Error(`no generated photo named ${name}`);
  return [spec.height, spec.width];
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `u2seg-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder tempDir made in this test file (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Builds tiny-vit into a temp folder; returns its manifest path. */
export async function buildTinyModel(): Promise<string> {
  const dir = tempDir('models');
  const { sha256: _s, file: _f, ...manifest } = tinyVitManifest('');
  await writeModel(dir, buildTinyVitOnnx(0), manifest);
  return path.join(dir, 'tiny-vit.json');
}

/** A temp folder holding the named generated photos, plus any extra files given as bytes. */
export function photoFolder(names: readonly string[], extra: Record<string, Uint8Array> = {}): string {
  const dir = tempDir('photos');
  for (const n of names) writeFileSync(path.join(dir, n), photo(n).jpeg);
  for (const [n, bytes] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, n)), { recursive: true });
    writeFileSync(path.join(dir, n), bytes);
  }
  return dir;
}

/** JPEG magic followed by garbage: sniffed as a JPEG, refused by the decoder. */
export function corruptJpeg(): Uint8Array {
  const bytes = new Uint8Array(2048);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  for (let i = 11; i < bytes.length; i++) bytes[i] = (i * 37) & 0xff;
  return bytes;
}
