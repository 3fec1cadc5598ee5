// The backbone worker: owns the ORT session and all pixels and tensors of a photo; the UI thread
// receives only small results (summaries, a feature view), as comlink calls typed by backbone-api.ts.
import * as Comlink from 'comlink';
import { manifestProblems, type BackboneOutput, type ModelManifest } from '../src/core/backbone/types';
import { withWholePasses, type BackboneSession } from '../src/runtime/backbone-session';
import { openWebBackbone, type ModelBytes } from '../src/runtime/ort-web';
import { getModel, openModelDb } from '../src/storage/model-cache';
import { DenseCrf } from '../src/core/pipeline/dense-crf';
import { loadDenseCrfWasm } from './dense-crf-wasm';
import type { BackboneWorkerApi } from './backbone-api';
import { DEBUG, requireDebug } from './debug';
import { pipelineApi } from './pipeline-api';

const MODELS = `${import.meta.env.BASE_URL}models/`;
/** The CRF's WebAssembly kernels load while the model does; processing waits for both. */
const denseCrfReady = loadDenseCrfWasm();
let session: BackboneSession | null = null;
/** With ?debug only: the latest backbone outputs by image id, for tests that compare backends. */
const outputs = new Map<string, BackboneOutput>();

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} could not be loaded (HTTP ${res.status}); run "npm run setup" to build the models`);
  return res;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A served file whose sha256 the manifest gives; a mismatch means the build is stale or damaged. */
async function fetchChecked(url: string, sha256: string, what: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(await (await fetchOk(url)).arrayBuffer());
  const sha = await sha256Hex(bytes);
  if (sha256 && sha !== sha256) {
    throw new Error(`${what}: file checksum ${sha.slice(0, 12)}… does not match its manifest (${sha256.slice(0, 12)}…); rebuild it with "npm run setup"`);
  }
  return bytes;
}

/** A manifest's graph(s) from the folder at `base`: the head and, where it has one, its shared stem. */
async function fetchGraphs(base: string, manifest: ModelManifest): Promise<ModelBytes> {
  const stem = manifest.shiftAverage?.stem;
  const [bytes, stemBytes] = await Promise.all([
    fetchChecked(`${base}${manifest.file}`, manifest.sha256, `model ${manifest.id}`),
    stem ? fetchChecked(`${base}${stem.file}`, stem.sha256, `model ${manifest.id}'s stem`) : undefined,
  ]);
  return { bytes, stemBytes };
}

/** A model imported in the Models panel (IndexedDB cache) first, else the app's /models/ folder. */
async function loadModel(modelId: string): Promise<{ manifest: ModelManifest; graphs: ModelBytes }> {
  const cached = await openModelDb()
    .then(async (db) => {
      try {
        return await getModel(db, modelId);
      } finally {
        db.close();
      }
    })
    .catch(() => undefined); // no IndexedDB (private mode): only the served models exist
  if (cached) {
    const sha = await sha256Hex(cached.bytes);
    if (sha !== cached.manifest.sha256) throw new Error(`cached model ${modelId} is damaged (checksum mismatch); delete it in the Models panel and import it again`);
    return { manifest: cached.manifest, graphs: { bytes: cached.bytes } };
  }
  const json: unknown = await (await fetchOk(`${MODELS}${modelId}.json`)).json();
  const problems = manifestProblems(json);
  if (problems.length) throw new Error(`model ${modelId} has a bad manifest: ${problems.join('; ')}`);
  const manifest = json as ModelManifest;
  return { manifest, graphs: await fetchGraphs(MODELS, manifest) };
}

const api: BackboneWorkerApi = {
  ...pipelineApi(
    () => session,
    (id, out) => {
      // Only the latest few, and only for tests: the pipeline itself uses the session store.
      if (!DEBUG) return;
      // A copy: the photo's own buffers may move on to a segmenting worker.
      outputs.set(id, structuredClone(out));
      if (outputs.size > 4) outputs.delete(outputs.keys().next().value as string);
    },
    denseCrfReady,
  ),
  async init(modelId, pref, wasmThreads, sharedStem = true) {
    await session?.release();
    session = null;
    outputs.clear();
    const { manifest, graphs } = await loadModel(modelId);
    const opened = await openWebBackbone(graphs, manifest, pref, wasmThreads);
    session = sharedStem ? opened : withWholePasses(opened);
    await denseCrfReady;
    return { info: session.info, manifest };
  },

  async crashForTest() {
    requireDebug('crashForTest');
    setTimeout(() => {
      throw new Error('simulated worker crash');
    });
  },

  async denseCrfCheck(rgba, width, height, mask) {
    await denseCrfReady;
    const crf = new DenseCrf(rgba, width, height);
    return { backend: crf.backend, mask: crf.refineBinaryMask(mask) };
  },

  async readFeatures(id, which, start, count) {
    requireDebug('readFeatures');
    const out = outputs.get(id);
    if (!out) throw new Error(`no features for image ${id}`);
    const slice = out[which].slice(start, start + count);
    return Comlink.transfer(slice, [slice.buffer]);
  },

  async benchmark(modelUrl, manifest, pref, runs) {
    const bench = await openWebBackbone(await fetchGraphs(modelUrl.slice(0, modelUrl.lastIndexOf('/') + 1), manifest), manifest, pref);
    try {
      const S = manifest.inputSize;
      const input = new Float32Array(3 * S * S).map((_, i) => Math.sin(i * 0.01));
      await bench.run(input);
      const msPerRun: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        await bench.run(input);
        msPerRun.push(performance.now() - t0);
      }
      return { info: bench.info, msPerRun };
    } finally {
      await bench.release();
    }
  },
};

Comlink.expose(api);
