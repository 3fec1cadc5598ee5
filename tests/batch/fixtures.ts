// Shared set-up for the batch and CLI tests: the seeded tiny ViT written to a temp folder, and temp
// photo folders that link (never copy into the repo) a few coco-dev photos.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeModel } from '../../src/model/model-files';
import { buildTinyVitOnnx, tinyVitManifest } from '../../src/model/vit/tiny-vit';
import { sharedPath } from '../helpers/shared-data';

export const COCO_DEV_PHOTOS = ['000000000790.jpg', '000000005802.jpg', '000000008193.jpg', '000000012448.jpg'];

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

/** A temp folder of symlinks to coco-dev photos, plus any extra files given as bytes. */
export function photoFolder(names: readonly string[], extra: Record<string, Uint8Array> = {}): string {
  const dir = tempDir('photos');
  for (const n of names) symlinkSync(sharedPath('coco-dev', 'images', n), path.join(dir, n));
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
