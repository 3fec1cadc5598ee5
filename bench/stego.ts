// `npm run bench -- stego [--photos 8,32,128] [--steps 100] [--cells 441] [--dim 768]`: the time
// STEGO's head (method.md §4) takes to train per session size, in TypeScript (the semantic
// worker's CPU trainer; its WebGPU one is not timed: no GPU here), on seeded synthetic tokens of the default model's shape.
//
// Per session: fitting the projection, the nearest-photo search, the training steps, and the
// stuff k-means on the codes; the total is what a user waits for with the default STEGO_DEFAULTS steps.
import { intFlag, parseArgs } from '../src/cli/args';
import { fitSessionClusters, withSemanticHead } from '../src/core/pipeline/session-clusters';
import { gaussian, mulberry32 } from '../src/core/random';
import { fitProjection } from '../src/core/stego/projection';
import { semanticHeadOf } from '../src/core/stego/semantic-head';
import { drainStego, photoRows, STEGO_DEFAULTS, stegoTrainingOnRows } from '../src/core/stego/train';
import { type Row } from './table';

/** Tokens of a few "materials" with per-photo offsets, so training has structure to find. */
function syntheticTokens(photos: number, cells: number, dim: number): Float32Array[] {
  const normal = gaussian(mulberry32(3));
  const materials = Array.from({ length: 12 }, () => Float32Array.from({ length: dim }, () => Math.max(0, normal())));
  return Array.from({ length: photos }, (_, p) => {
    const t = new Float32Array(cells * dim);
    for (let i = 0; i < cells; i++) {
      const m = materials[(p + Math.floor(i / 40)) % materials.length];
      for (let j = 0; j < dim; j++) t[i * dim + j] = m[j] + 0.3 * Math.abs(normal());
    }
    return t;
  });
}

export async function benchStego(args: string[]): Promise<Row[]> {
  const { flags } = parseArgs(args);
  const counts = (flags.get('photos') ?? '8,32,128').split(',').map(Number);
  const steps = intFlag(flags, 'steps', 1) ?? 100;
  const cells = intFlag(flags, 'cells', 1) ?? 441;
  const dim = intFlag(flags, 'dim', 2) ?? 768;
  const rows: Row[] = [];
  for (const n of counts) {
    process.stderr.write(`STEGO on ${n} photos…\n`);
    const tokens = syntheticTokens(n, cells, dim);
    const t0 = performance.now();
    const projection = fitProjection(tokens, dim, { outDim: STEGO_DEFAULTS.projectionDim });
    const prepared = tokens.map((t) => photoRows(projection, t));
    const t1 = performance.now();
    const model = drainStego(stegoTrainingOnRows(projection, prepared, { steps, reportEvery: steps }));
    const t2 = performance.now();
    const base = fitSessionClusters([], tokens, dim, { stuffK: 27, seed: 0 });
    const t3 = performance.now();
    withSemanticHead(base, semanticHeadOf(model), tokens, { seed: 0 });
    const t4 = performance.now();
    const msPerStep = (t2 - t1) / steps;
    rows.push({
      photos: n,
      'projection+rows s': (t1 - t0) / 1000,
      'ms/step': msPerStep,
      'k-means on tokens s': (t3 - t2) / 1000,
      'k-means on codes s': (t4 - t3) / 1000,
      [`total s at ${STEGO_DEFAULTS.steps} steps`]: (t1 - t0 + msPerStep * STEGO_DEFAULTS.steps + (t4 - t3)) / 1000,
    });
  }
  return rows;
}
