// Writes a model as the app serves it (public/models/<id>.onnx + <id>.json manifest) and keeps the
// model index that tells the page which models exist and which is the default.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelManifest } from '../core/backbone/types';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when <dir>/<id>.json exists and its sha256 (and its stem's) matches the .onnx beside it. */
export function modelIsCurrent(dir: string, id: string, expectedSource?: string): boolean {
  const manifestPath = path.join(dir, `${id}.json`);
  if (!existsSync(manifestPath)) return false;
  try {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest;
    const onnxPath = path.join(dir, m.file);
    if (expectedSource && m.source !== expectedSource) return false;
    const stem = m.shiftAverage?.stem;
    const current = (file: string, sha: string) => existsSync(file) && sha256Hex(readFileSync(file)) === sha;
    return current(onnxPath, m.sha256) && (!stem || current(path.join(dir, stem.file), stem.sha256));
  } catch {
    return false;
  }
}

/** Writes <id>.onnx and <id>.json; `stemBytes` go to the file the manifest's shared stem names. */
export async function writeModel(dir: string, bytes: Uint8Array, manifest: Omit<ModelManifest, 'sha256' | 'file'>, stemBytes?: Uint8Array): Promise<ModelManifest> {
  await mkdir(dir, { recursive: true });
  const full: ModelManifest = { ...manifest, file: `${manifest.id}.onnx`, sha256: sha256Hex(bytes) };
  const sa = manifest.shiftAverage;
  if (!sa?.stem !== !stemBytes) throw new Error(`model ${manifest.id}: a shared stem needs both its manifest entry and its bytes`);
  if (sa?.stem && stemBytes) {
    full.shiftAverage = { ...sa, stem: { ...sa.stem, sha256: sha256Hex(stemBytes) } };
    await writeFile(path.join(dir, sa.stem.file), stemBytes);
  }
  await writeFile(path.join(dir, full.file), bytes);
  await writeFile(path.join(dir, `${manifest.id}.json`), `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

export interface ModelIndexFile {
  default: string;
  models: { id: string; name: string }[];
}

/** Rebuilds index.json from the manifests present in dir; `preferred` is the default when present. */
export async function writeModelIndex(dir: string, ids: string[], preferred: string[]): Promise<ModelIndexFile> {
  const models: ModelIndexFile['models'] = [];
  for (const id of ids) {
    const p = path.join(dir, `${id}.json`);
    if (!existsSync(p)) continue;
    const m = JSON.parse(await readFile(p, 'utf8')) as ModelManifest;
    models.push({ id: m.id, name: m.name });
  }
  const def = preferred.find((id) => models.some((m) => m.id === id)) ?? models[0]?.id;
  if (!def) throw new Error(`no models in ${dir}`);
  const index = { default: def, models };
  await writeFile(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}
