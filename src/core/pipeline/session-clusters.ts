// The session-wide half of clustering (method.md §3, §4): k-means over every instance's feature
// gives thing clusters, spherical k-means over (a sample of) all patch tokens gives stuff clusters.
import { kMeans, type KMeansResult } from './kmeans';
import { fitSemanticCentroids } from './semantic';

export interface SessionClusterOptions {
  /** Thing clusters; default grows with the number of instances (√n, at least 2, at most 80). */
  thingK?: number;
  /** Semantic (stuff) clusters; STEGO's 27 once a session has enough photos (see defaultStuffK). */
  stuffK?: number;
  seed: number;
  /** Patch tokens per image used to fit the semantic centroids; default: defaultTokensPerImage. */
  tokensPerImage?: number;
}

export const SESSION_CLUSTER_DEFAULTS: SessionClusterOptions = { seed: 0 };

/** Tokens over all photos for the stuff k-means: its cost grows with tokens × dims × K × iterations. */
export const TOKEN_BUDGET = 12000;

/**
 * 400 tokens per photo for small sessions, fewer for large ones so the fit stays within the
 * budget (215 coco-dev photos: 55 each; the fit took 54 s instead of 525 s at 400 each).
 */
export function defaultTokensPerImage(images: number): number {
  return Math.max(16, Math.min(400, Math.floor(TOKEN_BUDGET / Math.max(images, 1))));
}

export interface SessionClusters {
  thingK: number;
  stuffK: number;
  tokenDim: number;
  /** [thingK, featureDim] */
  thingCentroids: Float32Array;
  featureDim: number;
  /** [stuffK, tokenDim], unit rows */
  stuffCentroids: Float32Array;
  /** Thing cluster (0-based) of each input instance, in input order. */
  instanceClusters: Int32Array;
}

export function defaultThingK(instanceCount: number): number {
  return Math.max(Math.min(2, instanceCount), Math.min(80, Math.round(Math.sqrt(instanceCount))));
}

/**
 * STEGO's 27 classes describe a dataset; one or two photos hold far fewer, and 27 clusters would cut
 * their regions into stripes. So a small session starts with fewer (6 for one photo) up to 27 at 12.
 */
export function defaultStuffK(imageCount: number): number {
  return Math.min(27, 4 + 2 * imageCount);
}

/** Evenly strided rows, so every part of every image is represented. */
function strideSample(tokens: Float32Array, dim: number, count: number): Float32Array {
  const n = tokens.length / dim;
  if (n <= count) return tokens;
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) out.set(tokens.subarray(Math.floor((i * n) / count) * dim, (Math.floor((i * n) / count) + 1) * dim), i * dim);
  return out;
}

export function fitSessionClusters(
  instanceFeatures: Float32Array[],
  tokenSets: Float32Array[],
  tokenDim: number,
  options: Partial<SessionClusterOptions> = {},
): SessionClusters {
  const opts = { ...SESSION_CLUSTER_DEFAULTS, ...options };
  if (!tokenSets.length) throw new Error('no images to cluster');
  const featureDim = instanceFeatures[0]?.length ?? tokenDim;
  const flat = new Float32Array(instanceFeatures.length * featureDim);
  instanceFeatures.forEach((f, i) => flat.set(f, i * featureDim));
  const thingK = Math.min(instanceFeatures.length, opts.thingK ?? defaultThingK(instanceFeatures.length));
  const things: KMeansResult | null = thingK > 0 ? kMeans(flat, instanceFeatures.length, featureDim, { k: thingK, seed: opts.seed }) : null;
  const perImage = opts.tokensPerImage ?? defaultTokensPerImage(tokenSets.length);
  const sampled = tokenSets.map((t) => strideSample(t, tokenDim, perImage));
  const stuff = fitSemanticCentroids(sampled, tokenDim, { k: opts.stuffK ?? defaultStuffK(tokenSets.length), seed: opts.seed + 1 });
  return {
    thingK: things?.k ?? 0,
    stuffK: stuff.k,
    tokenDim,
    thingCentroids: things ? Float32Array.from(things.centroidsRowMajor) : new Float32Array(0),
    featureDim,
    stuffCentroids: Float32Array.from(stuff.centroidsRowMajor),
    instanceClusters: things ? Int32Array.from(things.assignments) : new Int32Array(0),
  };
}
