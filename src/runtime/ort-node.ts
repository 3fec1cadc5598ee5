// The model runtime for Node (command line, benchmarks, tests): onnxruntime-node on the CPU,
// behind the same BackboneSession interface the browser workers use.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { manifestProblems, type ModelManifest } from '../core/backbone/types';
import { wrapSession, type BackboneSession } from './backbone-session';

export async function readManifest(manifestPath: string): Promise<ModelManifest> {
  const json: unknown = JSON.parse(await readFile(manifestPath, 'utf8'));
  const problems = manifestProblems(json);
  if (problems.length) throw new Error(`${manifestPath}: ${problems.join('; ')}`);
  return json as ModelManifest;
}

export async function openNodeBackbone(manifestPath: string, threads = os.availableParallelism()): Promise<BackboneSession> {
  const manifest = await readManifest(manifestPath);
  const open = (file: string) => ort.InferenceSession.create(path.resolve(path.dirname(manifestPath), file), { intraOpNumThreads: threads, graphOptimizationLevel: 'all' });
  const stemFile = manifest.shiftAverage?.stem?.file;
  const [session, stem] = await Promise.all([open(manifest.file), stemFile ? open(stemFile) : undefined]);
  return wrapSession(session, manifest, { backend: 'cpu', threads }, (data, dims) => new ort.Tensor('float32', data, dims), stem);
}
