// Crash-safe file writes for the batch cache and outputs (method.md §2–§5 run resumably): write
// to a temporary sibling, then rename over the target, so a reader sees the old file or the new one.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes bytes (or UTF-8 text) to `file` atomically; creates the parent folder. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Pretty JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown, indent: number | undefined = 2): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(value, null, indent)}\n`);
}
