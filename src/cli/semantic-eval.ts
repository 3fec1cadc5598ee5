// `npm run eval -- --semantic [--data <coco-dev>] [--stuff-data <coco-stuff-10>] [--seeds 0,1,2] …`:
// k-means against STEGO's head on the same tokens, PixelAcc / mIoU with Hungarian matching (method.md §4, §7).
import path from 'node:path';
import { writeJsonAtomic } from '../batch/atomic-file';
import { loadCocoStuff, loadCocoThingSupercategories, type SemanticDataset } from '../batch/eval/semantic-data';
import { evaluateSemantic } from '../batch/eval/semantic-eval';
import { formatRows } from '../batch/eval/text-table';
import { resolveModelManifest } from '../batch/model-path';
import { SEGMENT_DEFAULTS } from '../batch/segment';
import { STEGO_DEFAULTS, type StegoTrainOptions } from '../core/stego/train';
import { intFlag, intList, numberList, parseCommand, positiveFlag, type ParsedArgs } from './args';

const USAGE = `usage: npm run eval -- --semantic [--data <folder with images/ and instances.json>] [--stuff-data <folder with images/ and labels/>]
         [--model <id>] [--seeds 0,1,2] [--limit N] [--clusters 27] [--stego-steps N] [--stego-lr X]
         [--stego-shifts intra,knn,random] [--stego-weights intra,knn,random] [--stego-dim D] [--json <file>] [--quiet]
  defaults: --data ../shared/data/coco-dev, --stuff-data ../shared/data/coco-stuff-10 (either may be "none");
  tokens are cached in out/eval/<model>-none-<max-side>[-<data set>] (refine none: only tokens are needed)`;

const FLAGS = ['semantic', 'data', 'stuff-data', 'model', 'seeds', 'limit', 'clusters', 'stego-steps', 'stego-lr', 'stego-shifts', 'stego-weights', 'stego-dim', 'json', 'quiet', 'help'];

function stegoOptions(parsed: ParsedArgs): Partial<StegoTrainOptions> {
  const { flags } = parsed;
  const out: Partial<StegoTrainOptions> = {};
  const steps = intFlag(flags, 'stego-steps', 1);
  if (steps !== undefined) out.steps = steps;
  const lr = positiveFlag(flags, 'stego-lr');
  if (lr !== undefined) out.learningRate = lr;
  const dim = intFlag(flags, 'stego-dim', 2);
  if (dim !== undefined) Object.assign(out, { projectionDim: dim, hiddenDim: dim });
  const shifts = numberList(flags, 'stego-shifts', 3);
  if (shifts) out.shifts = { intra: shifts[0], knn: shifts[1], random: shifts[2] };
  const weights = numberList(flags, 'stego-weights', 3);
  if (weights) out.weights = { intra: weights[0], knn: weights[1], random: weights[2] };
  return out;
}

async function datasets(parsed: ParsedArgs): Promise<SemanticDataset[]> {
  const { flags, switches } = parsed;
  const progress = switches.has('quiet') ? null : process.stderr;
  const model = flags.get('model');
  const modelId = path.basename(resolveModelManifest(model), '.json');
  const limit = intFlag(flags, 'limit', 1);
  const cacheOut = (suffix: string) => path.resolve('out', 'eval', `${modelId}-none-${SEGMENT_DEFAULTS.maxSidePx}${suffix}`);
  const out: SemanticDataset[] = [];
  const stuff = flags.get('stuff-data') ?? '../shared/data/coco-stuff-10';
  if (stuff !== 'none') out.push(await loadCocoStuff(path.resolve(stuff), cacheOut(`-${path.basename(stuff)}`), model, limit, progress));
  const dev = flags.get('data') ?? '../shared/data/coco-dev';
  if (dev !== 'none') out.push(await loadCocoThingSupercategories(path.resolve(dev), cacheOut(''), model, limit, progress));
  if (!out.length) throw new Error('nothing to evaluate: both --data and --stuff-data are "none"');
  return out;
}

export async function runSemanticEvalCli(args: string[]): Promise<number> {
  const parsed = parseCommand(args, ['semantic', 'quiet', 'help'], FLAGS, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    const started = performance.now();
    const sets = await datasets(parsed);
    const stego = stegoOptions(parsed);
    const report = evaluateSemantic({
      datasets: sets,
      seeds: intList(parsed, 'seeds', [0, 1, 2]),
      clusters: intFlag(parsed.flags, 'clusters', 2) ?? 27,
      stego,
      progress: parsed.switches.has('quiet') ? null : process.stderr,
    });
    process.stdout.write(`${formatRows(report.rows)}\n`);
    const modelId = path.basename(resolveModelManifest(parsed.flags.get('model')), '.json');
    const jsonPath = path.resolve(parsed.flags.get('json') ?? path.join('out', 'eval', `semantic-${modelId}.json`));
    await writeJsonAtomic(jsonPath, { date: new Date().toISOString(), args, model: modelId, stego: { ...STEGO_DEFAULTS, ...stego }, seconds: Math.round((performance.now() - started) / 1000), rows: report.rows, details: report.details });
    process.stderr.write(`written to ${jsonPath}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}
