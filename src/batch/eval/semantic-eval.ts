// `npm run eval -- --semantic` (method.md §4, §7): spherical k-means on the tokens against STEGO's
// trained head on the same tokens, clusters Hungarian-matched to the classes (STEGO's protocol),
// PixelAcc and mIoU per data set, over several seeds, in one run.
//
// Both methods see the same session: every photo of every data set, as the app would if a user
// dropped them all; each data set is then scored on its own photos.
import { labelAgreement, nonDecreasingSteps } from '../../core/features/grid-pattern';
import { semanticLabelsForImage } from '../../core/pipeline/semantic';
import { defaultTokensPerImage, fitSessionClusters, semanticRows, type SessionClusters } from '../../core/pipeline/session-clusters';
import { semanticHeadOf } from '../../core/stego/semantic-head';
import { trainStego, type StegoTrainOptions } from '../../core/stego/train';
import { SemanticAccumulator, toPhotoSize } from '../adapt/scoring';
import { strideSampleRows } from '../finalize';
import type { ProgressSink } from '../progress';
import type { Row } from './evaluate';
import type { SemanticDataset, SemanticPhoto } from './semantic-data';

export type SemanticMethod = 'kmeans' | 'stego';

export interface SemanticEvalOptions {
  datasets: SemanticDataset[];
  seeds: number[];
  clusters: number;
  stego: Partial<StegoTrainOptions>;
  progress: ProgressSink | null;
}

interface RunScore {
  mIoU: number;
  pixelAccuracy: number;
}

interface MethodRun {
  /** Per data set name. */
  scores: Map<string, RunScore>;
  fitMs: number;
  /** Share of label pixels equal to the pixel 1…4 grid cells to the right, over every photo. */
  agreementX: number[];
}

function clustersFor(method: SemanticMethod, photos: readonly SemanticPhoto[], k: number, seed: number, stego: Partial<StegoTrainOptions>, progress: ProgressSink | null): SessionClusters {
  const tokenDim = photos[0].tokens.length / (photos[0].gridH * photos[0].gridW);
  const perImage = defaultTokensPerImage(photos.length);
  const sampled = photos.map((p) => strideSampleRows(p.tokens, tokenDim, perImage));
  if (method === 'kmeans') return fitSessionClusters([], sampled, tokenDim, { stuffK: k, seed, tokensPerImage: perImage });
  const model = trainStego(photos.map((p) => p.tokens), tokenDim, { ...stego, seed }, (p) => {
    if (p.step === p.totalSteps || p.step % 100 === 0) progress?.write(`  STEGO seed ${seed}: step ${p.step}/${p.totalSteps}, loss ${p.loss.toFixed(4)}, ${p.msPerStep.toFixed(0)} ms/step\n`);
  });
  return fitSessionClusters([], sampled, tokenDim, { stuffK: k, seed, tokensPerImage: perImage, semanticHead: semanticHeadOf(model) });
}

function labelPhoto(photo: SemanticPhoto, clusters: SessionClusters): Uint16Array {
  const space = semanticRows(clusters, photo.tokens, photo.gridH * photo.gridW);
  const labels = semanticLabelsForImage(space.rows, photo.gridH, photo.gridW, space.dim, clusters.stuffCentroids, clusters.stuffK, photo.labelSizeHW);
  return labels.pixelLabelsRowMajor;
}

function runMethod(method: SemanticMethod, opts: SemanticEvalOptions, seed: number): MethodRun {
  const photos = opts.datasets.flatMap((d) => d.photos);
  const t0 = performance.now();
  const clusters = clustersFor(method, photos, opts.clusters, seed, opts.stego, opts.progress);
  const fitMs = performance.now() - t0;
  const scores = new Map<string, RunScore>();
  const maps: { labels: Uint16Array; height: number; width: number }[] = [];
  let cellPx = 0;
  for (const d of opts.datasets) {
    const acc = new SemanticAccumulator(clusters.stuffK, d.classNames.length, 'hungarian');
    for (const photo of d.photos) {
      const labels = labelPhoto(photo, clusters);
      maps.push({ labels, height: photo.labelSizeHW.height, width: photo.labelSizeHW.width });
      cellPx = photo.labelSizeHW.width / photo.gridW;
      acc.add(toPhotoSize(labels, photo.labelSizeHW, photo.photoSizeHW), photo.truth);
    }
    scores.set(d.name, acc.result());
  }
  return { scores, fitMs, agreementX: labelAgreement(maps, cellPx).x };
}

const meanSd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return { m, sd };
};
const pctText = (xs: number[]) => {
  const { m, sd } = meanSd(xs.map((x) => x * 100));
  return xs.length > 1 ? `${m.toFixed(1)} ± ${sd.toFixed(1)}` : m.toFixed(1);
};

/** One row per data set and method, and the STEGO / k-means mIoU ratio. */
export function evaluateSemantic(opts: SemanticEvalOptions): { rows: Row[]; details: Record<string, unknown> } {
  const runs = new Map<SemanticMethod, MethodRun[]>();
  for (const method of ['kmeans', 'stego'] as const) {
    runs.set(method, opts.seeds.map((seed) => {
      opts.progress?.write(`${method}, seed ${seed}…\n`);
      return runMethod(method, opts, seed);
    }));
  }
  const rows: Row[] = [];
  for (const d of opts.datasets) {
    const mIoU = (m: SemanticMethod) => (runs.get(m) ?? []).map((r) => r.scores.get(d.name)?.mIoU ?? 0);
    for (const method of ['kmeans', 'stego'] as const) {
      const rs = runs.get(method) ?? [];
      rows.push({
        'data set': d.name,
        method: method === 'kmeans' ? 'k-means on tokens' : 'STEGO head',
        photos: String(d.photos.length),
        'mIoU %': pctText(mIoU(method)),
        'PixelAcc %': pctText(rs.map((r) => r.scores.get(d.name)?.pixelAccuracy ?? 0)),
        'fit s': (meanSd(rs.map((r) => r.fitMs)).m / 1000).toFixed(1),
      });
    }
    rows.push({ 'data set': d.name, method: 'STEGO / k-means mIoU', 'mIoU %': `${(meanSd(mIoU('stego')).m / meanSd(mIoU('kmeans')).m).toFixed(2)}×` });
  }
  const agreement = Object.fromEntries([...runs].map(([m, rs]) => [m, rs.map((r) => r.agreementX.map((a) => Number(a.toFixed(3))))]));
  const striped = Object.fromEntries([...runs].map(([m, rs]) => [m, rs.map((r) => nonDecreasingSteps(r.agreementX, 0.005))]));
  return { rows, details: { seeds: opts.seeds, clusters: opts.clusters, stego: opts.stego, labelAgreementX: agreement, nonDecreasingAgreementSteps: striped } };
}
