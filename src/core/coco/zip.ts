// File map ↔ one zip, for downloading COCO exports (panoptic PNG folders + JSON) as a single file.
// coco-formats.md §Panoptic layout; already-compressed files are stored, everything else deflated.
import { unzipSync, zipSync, type Zippable } from 'fflate';

const STORED_EXTENSIONS = /\.(png|jpe?g|zip|gz)$/i;

export interface ZipOptions {
  /** Timestamp written for every entry; pass a fixed date for byte-identical zips. Default: now. */
  mtime?: Date;
}

/** Paths use '/' separators; PNGs and other compressed formats are stored (level 0), not recompressed. */
export function zipFiles(files: Readonly<Record<string, Uint8Array>>, options: ZipOptions = {}): Uint8Array {
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(files)) {
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`zip path ${path} must be relative`);
    entries[path] = [bytes, { level: STORED_EXTENSIONS.test(path) ? 0 : 6 }];
  }
  return zipSync(entries, { mtime: options.mtime ?? new Date() });
}

/** Zip bytes → file map (directories dropped). */
export function unzipFiles(zip: Uint8Array): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(unzipSync(zip))) {
    if (!path.endsWith('/')) files[path] = bytes;
  }
  return files;
}
