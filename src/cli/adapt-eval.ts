// `npx tsx src/cli/adapt-eval.ts --data <dir> [--model <id>] [--k 1,5,10,20] [--seeds 0,1,2] [--limit N] [--cache <dir>] …`:
// measures self-training and few-shot adaptation (method.md §6) against COCO ground truth (§7).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HeadKind } from '../core/adapt/head';
import { ADAPT_EXPERIMENT_DEFAULTS, runAdaptExperiment, type AdaptExperimentOptions } from '../batch/adapt/experiment';
import { detailRows, summaryRows } from '../batch/adapt/report';
import { loadEvalGroundTruth } from '../batch/adapt/scoring';
import { defaultCacheOut, loadSessionData } from '../batch/adapt/session-data';
import { writeJsonAtomic } from '../batch/atomic-file';
import { formatRows } from '../batch/eval/text-table';
import { resolveModelManifest } from '../batch/model-path';
import { SEGMENT_DEFAULTS } from '../batch/segment';
import { choiceFlag, intFlag, intList, parseCommand, type ParsedArgs } from './args';

const USAGE = `usage: npx tsx src/cli/adapt-eval.ts --data <folder with images/ and instances.json> [--model <id>] [--k 1,5,10,20]
         [--seeds 0,1,2] [--limit N] [--cache <batch out dir>] [--heads linear,mlp] [--hidden 128] [--epochs 10]
         [--rounds 1|2] [--few-shot-steps 400] [--no-pseudo] [--no-maskcut] [--balanced] [--lr 0.001] [--refine crf|guided|none] [--max-side 1024] [--json <file>] [--quiet]
  --cache: a batch folder (npm run segment/eval --out) whose cache/ is reused or filled; default out/eval/<model>-<refine>-<max-side>
  writes the table to stdout and every row to out/adapt/<model>-<N>img.json (or --json)`;

const FLAGS = ['data', 'model', 'k', 'seeds', 'limit', 'cache', 'heads', 'hidden', 'epochs', 'rounds', 'few-shot-steps', 'no-pseudo', 'no-maskcut', 'balanced', 'lr', 'refine', 'max-side', 'json', 'quiet', 'help'];

function experimentOptions(parsed: ParsedArgs): Omit<AdaptExperimentOptions, 'progress'> {
  const { flags, switches } = parsed;
  const heads = (flags.get('heads') ?? ADAPT_EXPERIMENT_DEFAULTS.heads.join(',')).split(',');
  if (!heads.every((h) => h === 'linear' || h === 'mlp')) throw new Error(`--heads takes linear and/or mlp, got "${flags.get('heads')}"`);
  const lr = flags.has('lr') ? Number(flags.get('lr')) : ADAPT_EXPERIMENT_DEFAULTS.learningRate;
  if (!(lr > 0)) throw new Error(`--lr must be a positive number, got "${flags.get('lr')}"`);
  return {
    ks: intList(parsed, 'k', ADAPT_EXPERIMENT_DEFAULTS.ks),
    seeds: intList(parsed, 'seeds', ADAPT_EXPERIMENT_DEFAULTS.seeds),
    heads: heads as HeadKind[],
    hiddenDim: intFlag(flags, 'hidden', 1) ?? ADAPT_EXPERIMENT_DEFAULTS.hiddenDim,
    epochs: intFlag(flags, 'epochs', 1) ?? ADAPT_EXPERIMENT_DEFAULTS.epochs,
    rounds: (choiceFlag(flags, 'rounds', ['1', '2'] as const) ?? String(ADAPT_EXPERIMENT_DEFAULTS.rounds)) === '1' ? 1 : 2,
    fewShotSteps: intFlag(flags, 'few-shot-steps', 1) ?? ADAPT_EXPERIMENT_DEFAULTS.fewShotSteps,
    withPseudo: !switches.has('no-pseudo'),
    maskCutInstances: !switches.has('no-maskcut'),
    classWeighting: switches.has('balanced') ? 'balanced' : 'none',
    learningRate: lr,
  };
}

async function run(parsed: ParsedArgs, args: string[]): Promise<void> {
  const { flags, switches } = parsed;
  if (!flags.has('data')) throw new Error('--data is required');
  const dataDir = path.resolve(flags.get('data') as string);
  const refine = choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine;
  const maxSidePx = intFlag(flags, 'max-side', 16) ?? SEGMENT_DEFAULTS.maxSidePx;
  const modelId = path.basename(resolveModelManifest(flags.get('model')), '.json');
  const outDir = flags.has('cache') ? path.resolve(flags.get('cache') as string) : defaultCacheOut(modelId, refine, maxSidePx);
  const progress = switches.has('quiet') ? null : process.stderr;
  const options = experimentOptions(parsed);
  const started = performance.now();
  const session = await loadSessionData({
    imagesDir: path.join(dataDir, 'images'), outDir, model: flags.get('model'), refine, maxSidePx,
    limit: intFlag(flags, 'limit', 2), stuffK: SEGMENT_DEFAULTS.stuffK, seed: SEGMENT_DEFAULTS.seed, progress,
  });
  const gt = await loadEvalGroundTruth(path.join(dataDir, 'instances.json'), session.photos.map((p) => p.key));
  const result = await runAdaptExperiment(session, gt, { ...options, progress });
  const summary = summaryRows(result.rows);
  process.stdout.write(`${formatRows(summary)}\n`);
  const jsonPath = path.resolve(flags.get('json') ?? path.join('out', 'adapt', `${session.modelId}-${session.photos.length}img.json`));
  await writeJsonAtomic(jsonPath, {
    date: new Date().toISOString(), args, cache: outDir, model: session.modelId, passConfig: session.passConfig,
    photos: session.photos.length, thingK: session.thingK, stuffK: session.stuffK, tokenDim: session.tokenDim, options,
    seconds: Math.round((performance.now() - started) / 100) / 10, summary, rows: detailRows(result.rows), selfTrainHistory: result.selfTrainHistory,
  });
  process.stderr.write(`written to ${jsonPath}\n`);
}

export async function runAdaptEvalCli(args: string[]): Promise<number> {
  const parsed = parseCommand(args, ['no-pseudo', 'no-maskcut', 'balanced', 'quiet', 'help'], FLAGS, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    await run(parsed, args);
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runAdaptEvalCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
