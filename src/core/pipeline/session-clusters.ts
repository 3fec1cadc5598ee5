// The session-wide half of clustering (method.md §3, §4): k-means over every instance's feature
// gives thing clusters, spherical k-means over (a sample of) all patch tokens — or of their STEGO
// codes once a semantic head is trained — gives stuff clusters.
import { tokensToCodes, type SemanticHead } from '../stego/semantic-head';
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
  /** [stuffK, stuffDim], unit rows: in token space, or in code space with a semantic head. */
  stuffCentroids: Float32Array;
  /** Width of the stuff centroids; absent in clusters stored before semantic heads existed (tokenDim). */
  stuffDim?: number;
  /** STEGO's trained head (method.md §4); absent: stuff clusters are k-means on the raw tokens. */
  semanticHead?: SemanticHead;
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

/** Rows in which a photo's patches meet the stuff centroids: its tokens, or their codes. */
export function semanticRows(clusters: Pick<SessionClusters, 'semanticHead' | 'stuffDim' | 'tokenDim'>, tokensRowMajor: Float32Array, n: number): { rows: Float32Array; dim: number } {
  if (clusters.semanticHead) return { rows: tokensToCodes(clusters.semanticHead, tokensRowMajor, n), dim: clusters.semanticHead.shape.codeDim };
  return { rows: tokensRowMajor, dim: clusters.stuffDim ?? clusters.tokenDim };
}

/** Stuff centroids over (sampled) token sets, in code space when a head is given. */
function fitStuff(sampled: Float32Array[], tokenDim: number, k: number, seed: number, head?: SemanticHead): { k: number; centroids: Float32Array; dim: number } {
  const dim = head ? head.shape.codeDim : tokenDim;
  const sets = head ? sampled.map((t) => tokensToCodes(head, t, t.length / tokenDim)) : sampled;
  const fit = fitSemanticCentroids(sets, dim, { k, seed });
  return { k: fit.k, centroids: Float32Array.from(fit.centroidsRowMajor), dim };
}

/**
 * The same clusters with the stuff half refitted in a trained head's code space (the thing half,
 * fitted on instance features, does not change).
 */
export function withSemanticHead(clusters: SessionClusters, head: SemanticHead, tokenSets: Float32Array[], options: { stuffK?: number; seed: number; tokensPerImage?: number }): SessionClusters {
  const perImage = options.tokensPerImage ?? defaultTokensPerImage(tokenSets.length);
  const sampled = tokenSets.map((t) => strideSample(t, clusters.tokenDim, perImage));
  const stuff = fitStuff(sampled, clusters.tokenDim, options.stuffK ?? clusters.stuffK, options.seed + 1, head);
  return { ...clusters, stuffK: stuff.k, stuffCentroids: stuff.centroids, stuffDim: stuff.dim, semanticHead: head };
}

export function fitSessionClusters(
  instanceFeatures: Float32Array[],
  tokenSets: Float32Array[],
  tokenDim: number,
  options: Partial<SessionClusterOptions> & { semanticHead?: SemanticHead } = {},
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
  const stuff = fitStuff(sampled, tokenDim, opts.stuffK ?? defaultStuffK(tokenSets.length), opts.seed + 1, options.semanticHead);
  return {
    thingK: things?.k ?? 0,
    stuffK: stuff.k,
    tokenDim,
    thingCentroids: things ? Float32Array.from(things.centroidsRowMajor) : new Float32Array(0),
    featureDim,
    stuffCentroids: stuff.centroids,
    stuffDim: stuff.dim,
    ...(options.semanticHead ? { semanticHead: options.semanticHead } : {}),
    instanceClusters: things ? Int32Array.from(things.assignments) : new Int32Array(0),
  };
}
