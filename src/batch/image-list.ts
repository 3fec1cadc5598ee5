// Which photos a batch run works on (the per-image passes of method.md §2–§3): the folder walk,
// each photo's stable key (its path relative to the folder), and the `--shard i/n` slice.
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Photo files by extension; the content is still sniffed when decoded (a bad file is reported). */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.avif'];

export interface ImageFile {
  /** Path relative to the folder with '/' separators: the cache key and the COCO file_name. */
  key: string;
  absPath: string;
}

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

/**
 * Every photo under `folder` (recursive, dot-entries skipped), sorted by key in code-unit order so
 * every machine lists the same folder identically. Paths under `excludeDirs` (e.g. the output
 * folder when it sits inside the photo folder) are left out.
 */
export async function listImages(folder: string, excludeDirs: readonly string[] = []): Promise<ImageFile[]> {
  const root = path.resolve(folder);
  const excluded = excludeDirs.map((d) => path.resolve(d));
  const out: ImageFile[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a symlinked folder seen before (or a loop)
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = path.join(dir, e.name);
      if (excluded.some((x) => abs === x || abs.startsWith(x + path.sep))) continue;
      const target = e.isSymbolicLink() ? await stat(abs).catch(() => null) : e;
      if (target?.isDirectory()) await walk(abs);
      else if (target?.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
        out.push({ key: path.relative(root, abs).split(path.sep).join('/'), absPath: abs });
      }
    }
  };
  await walk(root);
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** "i/n" with 0 ≤ i < n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new Error(`--shard must be i/n with 0 ≤ i < n (e.g. 0/4), got "${text}"`);
  return { index, count };
}

/**
 * Shard i of n takes the photos at sorted positions i, i + n, i + 2n, …: balanced, and the union of
 * all shards is the whole folder exactly once.
 */
export function selectShard<T>(sortedItems: readonly T[], shard: Shard): T[] {
  return sortedItems.filter((_, position) => position % shard.count === shard.index);
}
