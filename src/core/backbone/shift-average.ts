// Features of a photo from one backbone pass, or averaged over passes shifted by one network stride
// (method.md §1: the CNN's period-2 positional pattern is removed on the sampling geometry).
//
// Why shifting works: a CNN's output moves by exactly one cell when its input moves by its total
// stride, except for the part that depends on where the padded borders are. On the default CNN
// that border-anchored part alternates from cell to cell (cosine of tokens 3 columns apart 0.436
// < 4 apart 0.466 on 40 coco-dev photos). Each content cell seen from the four passes at offsets
// {0, stride}² sits once at every parity relative to the borders, so the average cancels the
// alternation (0.539 > 0.495), where flip-averaging (0.529 < 0.573) and per-position mean removal
// (0.476 ≈ 0.466) did not. The cost is one backbone run per offset.
//
// With a shared stem (types.ts SharedStem), the layers up to a cut run once on the common canvas and
// only the head runs per offset, on crops of the stem's map one step apart. Those crops differ from
// the windows' own maps only where the stem's SAME padding reaches in from a window's edge; the
// pattern comes from the head's padding, so the average still cancels it as long as the cut comes
// early enough (default CNN, 40 coco-dev photos, period-2 share along x: cut after mixed3 0.013,
// four whole passes 0.012, cut after mixed4 0.023, after mixed5 0.082).
import { toNormalisedNchw, type RgbaImage } from '../image/resize';
import { gridSize, type BackboneOutput, type ModelManifest, type ShiftPattern } from './types';

/** One backbone run on a normalised [1, 3, inputSize, inputSize] input. */
export type RunBackbone = (inputNchw: Float32Array) => Promise<BackboneOutput>;

/** A stem's feature map, [C, height, width] planar (batch 1). */
export interface StemMap {
  data: Float32Array;
  channels: number;
  height: number;
  width: number;
}

/** What embedPhoto runs: whole passes, and for a model with a shared stem its two halves. */
export interface BackboneRunner {
  run: RunBackbone;
  /** The stem on a normalised [1, 3, side, side] input (models with shiftAverage.stem). */
  stem?(inputNchw: Float32Array, side: number): Promise<StemMap>;
  /** The head on a crop of the stem's map. */
  head?(map: StemMap): Promise<BackboneOutput>;
}

/** Offsets of the passes, in network strides: every cell parity in x and y once. */
export const SHIFT_OFFSETS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
];

/**
 * The passes of a pattern. 'diagonal' keeps two of the four: every inner cell is still seen at
 * both parities in x and in y (not in every combination), at half the backbone's cost; the two
 * corners no pass sees take their seen neighbours' mean.
 */
export const SHIFT_PATTERNS: Record<ShiftPattern, readonly (readonly [number, number])[]> = {
  square: SHIFT_OFFSETS,
  diagonal: [SHIFT_OFFSETS[0], SHIFT_OFFSETS[3]],
};

function offsetsOf(manifest: Pick<ModelManifest, 'shiftAverage'>): readonly (readonly [number, number])[] {
  return SHIFT_PATTERNS[manifest.shiftAverage?.pattern ?? 'square'];
}

/** The grid a photo's features come on: one cell wider and taller when passes are shifted. */
export function featureGrid(manifest: Pick<ModelManifest, 'inputSize' | 'stride' | 'shiftAverage'>): { gridH: number; gridW: number } {
  const { gridH, gridW } = gridSize(manifest);
  return manifest.shiftAverage ? { gridH: gridH + 1, gridW: gridW + 1 } : { gridH, gridW };
}

/** Backbone runs per photo. */
export function passesPerPhoto(manifest: Pick<ModelManifest, 'shiftAverage'>): number {
  return manifest.shiftAverage ? offsetsOf(manifest).length : 1;
}

/** The size² window at (x0, y0) of a [channels, side, side] planar map. */
function cropChw(chw: Float32Array, side: number, x0: number, y0: number, size: number, channels = 3): Float32Array {
  const out = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < size; y++) {
      const from = c * side * side + (y + y0) * side + x0;
      out.set(chw.subarray(from, from + size), c * size * size + y * size);
    }
  }
  return out;
}

/** Adds a pass's [gridH·gridW, dim] rows into the (gridH+1)·(gridW+1) canvas at (dx, dy) cells. */
function accumulate(sum: Float32Array, count: Uint8Array, rows: Float32Array, dim: number, grid: { gridH: number; gridW: number }, dx: number, dy: number): void {
  const canvasW = grid.gridW + 1;
  for (let y = 0; y < grid.gridH; y++) {
    for (let x = 0; x < grid.gridW; x++) {
      const cell = (y + dy) * canvasW + x + dx;
      count[cell]++;
      const src = (y * grid.gridW + x) * dim;
      for (let j = 0; j < dim; j++) sum[cell * dim + j] += rows[src + j];
    }
  }
}

/** Sums ÷ counts; a cell no pass saw gets the mean of its seen 4-neighbours. */
function divideRows(sum: Float32Array, count: Uint8Array, dim: number, canvasW: number): Float32Array {
  for (let cell = 0; cell < count.length; cell++) {
    if (!count[cell]) continue;
    const inv = 1 / count[cell];
    for (let j = 0; j < dim; j++) sum[cell * dim + j] *= inv;
  }
  const canvasH = count.length / canvasW;
  for (let cell = 0; cell < count.length; cell++) {
    if (count[cell]) continue;
    const x = cell % canvasW, y = (cell - x) / canvasW;
    const seen = [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]]
      .filter(([nx, ny]) => nx >= 0 && ny >= 0 && nx < canvasW && ny < canvasH && count[ny * canvasW + nx])
      .map(([nx, ny]) => ny * canvasW + nx);
    for (const n of seen) for (let j = 0; j < dim; j++) sum[cell * dim + j] += sum[n * dim + j] / seen.length;
  }
  return sum;
}

/** Averages passes run at `offsets` (in order; default SHIFT_OFFSETS) onto the grid one cell larger each way. */
export function averageShiftedPasses(passes: readonly BackboneOutput[], offsets: readonly (readonly [number, number])[] = SHIFT_OFFSETS): BackboneOutput {
  if (passes.length !== offsets.length) throw new Error(`expected ${offsets.length} shifted passes, got ${passes.length}`);
  const { gridH, gridW, keyDim, tokenDim } = passes[0];
  const cells = (gridH + 1) * (gridW + 1);
  const keys = new Float32Array(cells * keyDim), tokens = new Float32Array(cells * tokenDim);
  const keyCount = new Uint8Array(cells), tokenCount = new Uint8Array(cells);
  const cls = new Float32Array(passes[0].cls.length);
  passes.forEach((p, i) => {
    if (p.gridH !== gridH || p.gridW !== gridW || p.keyDim !== keyDim || p.tokenDim !== tokenDim) throw new Error('shifted passes disagree on their shapes');
    const [dx, dy] = offsets[i];
    accumulate(keys, keyCount, p.keys, keyDim, { gridH, gridW }, dx, dy);
    accumulate(tokens, tokenCount, p.tokens, tokenDim, { gridH, gridW }, dx, dy);
    for (let j = 0; j < cls.length; j++) cls[j] += p.cls[j] / passes.length;
  });
  return {
    keys: divideRows(keys, keyCount, keyDim, gridW + 1),
    keyDim,
    tokens: divideRows(tokens, tokenCount, tokenDim, gridW + 1),
    tokenDim,
    cls,
    gridH: gridH + 1,
    gridW: gridW + 1,
  };
}

/** Features from part of a photo's passes, ready before the rest: what a page can show first. */
export type OnPreview = (preview: BackboneOutput) => Promise<void>;

/** Square passes in the order that completes the diagonal pattern first (indices into SHIFT_OFFSETS). */
const DIAGONAL_FIRST = [0, 3, 1, 2];

/** The passes' runs, offset i at a time: whole passes on windows of the canvas, or heads on crops of its stem's map. */
async function passRunner(canvas: Float32Array, side: number, manifest: ModelManifest, runner: BackboneRunner, offsets: readonly (readonly [number, number])[]): Promise<(i: number) => Promise<BackboneOutput>> {
  const { inputSize, shiftAverage } = manifest;
  const step = shiftAverage?.stepPx ?? 0;
  const stem = shiftAverage?.stem;
  if (!stem) return (i) => runner.run(cropChw(canvas, side, offsets[i][0] * step, offsets[i][1] * step, inputSize));
  if (!runner.stem || !runner.head) throw new Error(`model ${manifest.id} has a shared stem, but this runtime cannot run it`);
  const map = await runner.stem(canvas, side);
  const size = map.height - stem.stepCells;
  if (map.width !== map.height || size < 1) throw new Error(`the stem's map is ${map.height}×${map.width}; expected a square map wider than ${stem.stepCells} cells`);
  const head = runner.head.bind(runner);
  return (i) => head({ data: cropChw(map.data, map.width, offsets[i][0] * stem.stepCells, offsets[i][1] * stem.stepCells, size, map.channels), channels: map.channels, height: size, width: size });
}

/**
 * The features of a photo as the manifest asks: one run on the photo resized to inputSize², or,
 * with shiftAverage, runs on the inputSize² windows of the photo resized to (inputSize + step)²,
 * one step apart, averaged cell by cell (with a shared stem: the stem once on the whole canvas,
 * the head on its crops). With `onPreview` and the square pattern, the diagonal passes run first
 * and their average goes to `onPreview` before the other two run; the result is the same (the
 * average is summed in the pattern's own order either way).
 */
export async function embedPhoto(photo: RgbaImage, manifest: ModelManifest, runner: BackboneRunner, onPreview?: OnPreview): Promise<BackboneOutput> {
  const { inputSize, mean, std } = manifest;
  if (!manifest.shiftAverage) return runner.run(toNormalisedNchw(photo, inputSize, mean, std));
  const side = inputSize + manifest.shiftAverage.stepPx;
  const canvas = toNormalisedNchw(photo, side, mean, std);
  const offsets = offsetsOf(manifest);
  const runAt = await passRunner(canvas, side, manifest, runner, offsets);
  const passes: BackboneOutput[] = new Array<BackboneOutput>(offsets.length);
  const previewFirst = onPreview && offsets === SHIFT_OFFSETS;
  const order = previewFirst ? DIAGONAL_FIRST : offsets.map((_, i) => i);
  for (const [n, i] of order.entries()) {
    passes[i] = await runAt(i);
    if (previewFirst && n === 1) await onPreview(averageShiftedPasses([passes[0], passes[3]], SHIFT_PATTERNS.diagonal));
  }
  return averageShiftedPasses(passes, offsets);
}
