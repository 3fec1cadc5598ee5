// Finds the backbone a batch run uses (method.md §1): a manifest path, a model id from
// public/models, or the default named by public/models/index.json.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const MODELS_DIR = path.resolve(import.meta.dirname, '../../public/models');

/** Manifest path for `--model` (an id in public/models or a path to a .json manifest); the default when absent. */
export function resolveModelManifest(model?: string, modelsDir = MODELS_DIR): string {
  if (model && (model.endsWith('.json') || model.includes('/') || model.includes(path.sep))) {
    const p = path.resolve(model);
    if (!existsSync(p)) throw new Error(`model manifest ${p} does not exist`);
    return p;
  }
  const id = model ?? defaultModelId(modelsDir);
  const p = path.join(modelsDir, `${id}.json`);
  if (!existsSync(p)) throw new Error(`no model "${id}" in ${modelsDir} (run npm run setup, or pass a manifest path)`);
  return p;
}

export function defaultModelId(modelsDir = MODELS_DIR): string {
  const indexPath = path.join(modelsDir, 'index.json');
  if (!existsSync(indexPath)) throw new Error(`${indexPath} is missing: run npm run setup`);
  const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { default?: string };
  if (!index.default) throw new Error(`${indexPath} names no default model`);
  return index.default;
}
