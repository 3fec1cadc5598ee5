// Node-only: reads a TF.js layers model out of the installed `nsfwjs` package, whose model.json and
// weight shards ship as browserify .min.js bundles; source of the CNN backbone (method.md §1).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { asLayersModelJson, type LayersModelJson } from './tfjs-json';

/** The nsfwjs models that are Keras layers models (`mobilenet_v2_mid` is a graph model: not convertible here). */
export const NSFWJS_LAYERS_MODELS = ['mobilenet_v2', 'inception_v3'] as const;
export type NsfwjsNetwork = (typeof NSFWJS_LAYERS_MODELS)[number];

export interface PackagedLayersModel {
  json: LayersModelJson;
  /** Every shard of every weight group, concatenated in manifest order. */
  shardBytes: Uint8Array;
  /** e.g. "nsfwjs@4.4.0" */
  packageId: string;
}

const require = createRequire(import.meta.url);

/** The package root; nsfwjs's `exports` map hides package.json, so walk up from its main entry. */
export function nsfwjsRoot(): string {
  let dir = path.dirname(require.resolve('nsfwjs'));
  while (path.basename(dir) !== 'nsfwjs' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function nsfwjsVersion(root = nsfwjsRoot()): string {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version?: string };
  if (!pkg.version) throw new Error(`${root}/package.json has no version`);
  return pkg.version;
}

/**
 * Each .min.js is a UMD bundle whose CommonJS export is the model.json object (model.min.js) or
 * the shard as a base64 string (group1-shardXofY.min.js); requiring them is how nsfwjs loads them.
 */
function requireBundle(file: string): unknown {
  return require(file) as unknown;
}

export function loadNsfwjsModel(network: NsfwjsNetwork, root = nsfwjsRoot()): PackagedLayersModel {
  const dir = path.join(root, 'dist', 'models', network);
  const json = asLayersModelJson(requireBundle(path.join(dir, 'model.min.js')), `nsfwjs ${network}/model.min.js`);
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => {
    const base64 = requireBundle(path.join(dir, `${p}.min.js`));
    if (typeof base64 !== 'string') throw new Error(`nsfwjs ${network}/${p}.min.js does not export a base64 string`);
    return Buffer.from(base64, 'base64');
  });
  const shardBytes = new Uint8Array(Buffer.concat(shards));
  return { json, shardBytes, packageId: `nsfwjs@${nsfwjsVersion(root)}` };
}
