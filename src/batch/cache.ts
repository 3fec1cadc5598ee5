// The per-image cache of a batch run (method.md §2–§3 results, kept so phase 2 and resumes need
// no recomputation): <out>/cache/config.json, entries/<name>.json (+ .bin), failed/<name>.json.
//
// Layout of one entry:
//  - <name>.bin: float32 little-endian, the patch tokens [gridH·gridW, tokenDim] row-major, then
//    each instance's feature [featureDim] in instance order;
//  - <name>.json: CacheEntryMeta (sizes, instances as compressed COCO RLE + bbox/area/score,
//    stage timings). It is written after the .bin, so its presence marks a complete entry.
// Every entry repeats the fingerprint of the settings it was made with, so caches merged from
// several machines are checked to agree before they are finalised together.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decompressRle } from '../core/coco/rle';
import type { BboxXYWH, CompressedRle } from '../core/coco/types';
import type { ImagePass, ProposalMode } from '../core/pipeline/image-pass';
import type { RefineMethod } from '../core/pipeline/refine';
import { writeFileAtomic, writeJsonAtomic } from './atomic-file';

export const CACHE_VERSION = 1;

/**
 * Each instance's clustering feature (method.md §3): the mean of its patch tokens (cheap), or the
 * backbone's CLS on its masked crop (the reference's).
 */
export const INSTANCE_FEATURES = ['mean-tokens', 'cls-crop'] as const;
export type InstanceFeatureKind = (typeof INSTANCE_FEATURES)[number];
export const DEFAULT_INSTANCE_FEATURE: InstanceFeatureKind = 'mean-tokens';

/** Everything phase 1's output depends on; a cache is only reused with identical settings. */
export interface PassConfig {
  version: number;
  modelId: string;
  modelSha256: string;
  maxSidePx: number;
  refine: RefineMethod;
  tau: number;
  maxMasks: number;
  /** Absent in caches made before the option existed, which all used 'mean-tokens'. */
  instanceFeature?: InstanceFeatureKind;
  /** The manifest's shift-average step in pixels (method.md §1); absent: one backbone pass. */
  shiftAverageStepPx?: number;
  /** The shift pattern when not 'square' (absent: all four passes, as before the option existed). */
  shiftPattern?: 'diagonal';
  /** The proposal stage (image-pass.ts); absent: 'reference' (caches made before the option existed). */
  proposals?: ProposalMode;
  /** 'multi' only: its PROPOSAL_STAGE_REVISION (absent: revision 1). */
  proposalsRevision?: number;
}

export interface StageTimingsMs {
  decode: number;
  backbone: number;
  maskcut: number;
  refine: number;
  /** Masked crops + a backbone run per instance ('cls-crop' only; mean tokens are inside refine). */
  instanceFeature?: number;
}

export interface CachedInstance {
  rle: CompressedRle;
  bbox: BboxXYWH;
  area: number;
  score: number;
  /** The instance that holds this one as a part ('multi' proposals; absent: a whole). */
  wholeIndex?: number;
}

export interface CacheEntryMeta {
  version: number;
  key: string;
  configFingerprint: string;
  /** The photo's original [height, width]: outputs are written at this size. */
  photoSizeHW: [number, number];
  /** [height, width] the masks and labels were computed at (fitWithin(photo, max-side)). */
  labelSizeHW: [number, number];
  gridH: number;
  gridW: number;
  tokenDim: number;
  featureDim: number;
  instances: CachedInstance[];
  timingsMs: StageTimingsMs;
}

export interface CacheEntry {
  meta: CacheEntryMeta;
  /** [gridH·gridW, tokenDim] row-major. */
  tokens: Float32Array;
  /** One [featureDim] vector per instance. */
  features: Float32Array[];
}

export interface FailureRecord {
  key: string;
  error: string;
  when: string;
}

export function cacheDir(outDir: string): string {
  return path.join(outDir, 'cache');
}

/**
 * Hash of the settings. The default instance feature hashes as if the field were absent, so caches
 * made before the option keep their fingerprint; any other feature changes it.
 */
export function configFingerprint(config: PassConfig): string {
  const { instanceFeature, ...rest } = config;
  const keyed: Record<string, unknown> = instanceFeature && instanceFeature !== DEFAULT_INSTANCE_FEATURE ? { ...rest, instanceFeature } : rest;
  const canonical = JSON.stringify(Object.entries(keyed).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** File stem of a key: readable, filesystem-safe, and unique through a hash of the exact key. */
export function entryName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]/g, '_').slice(-80);
  return `${readable}.${createHash('sha1').update(key).digest('hex').slice(0, 10)}`;
}

const entryPath = (dir: string, key: string, ext: 'json' | 'bin') => path.join(dir, 'entries', `${entryName(key)}.${ext}`);
const failurePath = (dir: string, key: string) => path.join(dir, 'failed', `${entryName(key)}.json`);

function checkLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error('the cache stores little-endian float32; this machine is big-endian');
}

export async function readPassConfig(dir: string): Promise<PassConfig | null> {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, 'utf8')) as PassConfig;
}

/** Creates config.json, or checks that an existing cache was made with the same settings. */
export async function ensurePassConfig(dir: string, config: PassConfig): Promise<void> {
  const existing = await readPassConfig(dir);
  if (!existing) return writeJsonAtomic(path.join(dir, 'config.json'), config);
  if (configFingerprint(existing) !== configFingerprint(config)) {
    throw new Error(
      `${dir} was made with other settings (${JSON.stringify(existing)}); now ${JSON.stringify(config)}. ` +
        'Use another --out folder or delete that cache.',
    );
  }
}

export function hasEntry(dir: string, key: string): boolean {
  return existsSync(entryPath(dir, key, 'json'));
}

export async function writeEntry(dir: string, entry: CacheEntry): Promise<void> {
  checkLittleEndian();
  const { meta, tokens, features } = entry;
  if (tokens.length !== meta.gridH * meta.gridW * meta.tokenDim) throw new Error(`${meta.key}: tokens do not fit the grid`);
  const bin = new Float32Array(tokens.length + features.length * meta.featureDim);
  bin.set(tokens, 0);
  features.forEach((f, i) => bin.set(f, tokens.length + i * meta.featureDim));
  await writeFileAtomic(entryPath(dir, meta.key, 'bin'), new Uint8Array(bin.buffer));
  await writeJsonAtomic(entryPath(dir, meta.key, 'json'), meta, 0);
  await rm(failurePath(dir, meta.key), { force: true });
}

async function readMetaFile(file: string): Promise<CacheEntryMeta> {
  const meta = JSON.parse(await readFile(file, 'utf8')) as CacheEntryMeta;
  if (meta.version !== CACHE_VERSION) throw new Error(`${file}: cache version ${meta.version}, expected ${CACHE_VERSION}`);
  return meta;
}

export function readEntryMeta(dir: string, key: string): Promise<CacheEntryMeta> {
  return readMetaFile(entryPath(dir, key, 'json'));
}

/** The float arrays of an entry, checked against its meta. */
export async function readEntryArrays(dir: string, meta: CacheEntryMeta): Promise<CacheEntry> {
  checkLittleEndian();
  const file = entryPath(dir, meta.key, 'bin');
  const buf = await readFile(file);
  const tokenCount = meta.gridH * meta.gridW * meta.tokenDim;
  const expected = 4 * (tokenCount + meta.instances.length * meta.featureDim);
  if (buf.byteLength !== expected) throw new Error(`${file} has ${buf.byteLength} bytes; its meta says ${expected}`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const tokens = all.subarray(0, tokenCount);
  const features = meta.instances.map((_, i) => all.subarray(tokenCount + i * meta.featureDim, tokenCount + (i + 1) * meta.featureDim));
  return { meta, tokens, features };
}

/** Metas of every complete entry in the cache, sorted by key. */
export async function listEntryMetas(dir: string): Promise<CacheEntryMeta[]> {
  const folder = path.join(dir, 'entries');
  if (!existsSync(folder)) return [];
  const names = (await readdir(folder)).filter((n) => n.endsWith('.json'));
  const metas = await Promise.all(names.map((n) => readMetaFile(path.join(folder, n))));
  return metas.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export async function recordFailure(dir: string, key: string, error: string): Promise<void> {
  const record: FailureRecord = { key, error, when: new Date().toISOString() };
  await writeJsonAtomic(failurePath(dir, key), record);
}

export async function listFailures(dir: string): Promise<FailureRecord[]> {
  const folder = path.join(dir, 'failed');
  if (!existsSync(folder)) return [];
  const names = (await readdir(folder)).filter((n) => n.endsWith('.json'));
  const records = await Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(folder, n), 'utf8')) as FailureRecord));
  return records.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** A cache entry as the pipeline's in-memory pass (phase 2 and the adaptation runs read it alike). */
export function passFromEntry(entry: CacheEntry, config: Pick<PassConfig, 'proposals'>): ImagePass {
  const { meta } = entry;
  return {
    labelSizeHW: { height: meta.labelSizeHW[0], width: meta.labelSizeHW[1] },
    proposals: config.proposals ?? 'reference',
    instances: meta.instances.map((inst, i) => ({ rle: decompressRle(inst.rle), bbox: inst.bbox, area: inst.area, score: inst.score, feature: entry.features[i], ...(inst.wholeIndex !== undefined ? { wholeIndex: inst.wholeIndex } : {}) })),
    timingsMs: { maskcut: meta.timingsMs.maskcut, refine: meta.timingsMs.refine },
  };
}
