// `npm run bench -- train [--images 100] [--patches 400] [--dim 768] [--classes 49] [--epochs 3] [--hidden 64,128]`:
// ms per epoch of the adaptation head's training (method.md §6) in plain TypeScript on synthetic
// tokens of the default CNN's size (20×20 grid × 768 channels per photo), linear and MLP heads.
import { trainHead, type TrainingImage } from '../src/core/adapt/train';
import { gaussian, mulberry32 } from '../src/core/random';
import { intFlag, parseArgs } from '../src/cli/args';
import { median, type Row } from './table';

/** Class-mean-plus-noise tokens, classes spread evenly over the patches. */
function syntheticImages(images: number, patches: number, dim: number, classes: number): TrainingImage[] {
  const normal = gaussian(mulberry32(1));
  const means = Array.from({ length: classes }, () => Float32Array.from({ length: dim }, () => normal()));
  return Array.from({ length: images }, (_, i) => {
    const tokensRowMajor = new Float32Array(patches * dim);
    const targets = new Uint8Array(patches);
    for (let p = 0; p < patches; p++) {
      const c = (i * 7 + p) % classes;
      targets[p] = c;
      for (let d = 0; d < dim; d++) tokensRowMajor[p * dim + d] = means[c][d] + 2 * normal();
    }
    return { tokensRowMajor, targets };
  });
}

export async function benchTrain(args: string[]): Promise<Row[]> {
  const { flags } = parseArgs(args);
  const images = intFlag(flags, 'images', 1) ?? 100;
  const patches = intFlag(flags, 'patches', 1) ?? 400;
  const dim = intFlag(flags, 'dim', 1) ?? 768;
  const classCount = intFlag(flags, 'classes', 2) ?? 49;
  const epochs = intFlag(flags, 'epochs', 1) ?? 3;
  const hiddens = (flags.get('hidden') ?? '64,128').split(',').map(Number);
  const data = syntheticImages(images, patches, dim, classCount);
  const classes = { names: Array.from({ length: classCount }, (_, c) => `c${c}`), thingCount: 1 };
  const heads = [{ kind: 'linear' as const, hiddenDim: 0 }, ...hiddens.map((h) => ({ kind: 'mlp' as const, hiddenDim: h }))];
  const rows: Row[] = [];
  for (const h of heads) {
    process.stderr.write(`training ${h.kind}${h.hiddenDim ? ` ${h.hiddenDim}` : ''}…\n`);
    const r = trainHead(data, dim, classes, { ...h, epochs, batchSize: 256 });
    const ms = r.history.map((e) => e.ms);
    rows.push({
      head: h.kind === 'linear' ? 'linear' : `mlp ${h.hiddenDim}`,
      patches: images * patches,
      'dim → classes': `${dim} → ${classCount}`,
      'median ms/epoch': median(ms),
      'first ms/epoch': ms[0],
      'k patches/s': (images * patches) / median(ms),
      'final train acc %': 100 * (r.history[r.history.length - 1]?.accuracy ?? 0),
    });
  }
  return rows;
}
