// `npm run eval`: scores U2Seg pseudo labels against COCO ground truth (method.md §7), either by
// running the segment pipeline on a data set or on exported files alone. A thin shell over src/batch/eval.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeJsonAtomic } from '../batch/atomic-file';
import { evaluateFiles, evaluateModel, type EvalReport, type ModelEvalOptions } from '../batch/eval/evaluate';
import { formatRows } from '../batch/eval/text-table';
import { DEFAULT_INSTANCE_FEATURE, INSTANCE_FEATURES } from '../batch/cache';
import { resolveModelManifest } from '../batch/model-path';
import { defaultMaxMasks, DEFAULT_PROPOSALS, SEGMENT_DEFAULTS } from '../batch/segment';
import { PROPOSAL_MODES, type ProposalMode } from '../core/pipeline/image-pass';
import { choiceFlag, intFlag, parseCommand, type ParsedArgs } from './args';

const USAGE = `usage:
  npm run eval -- --data <folder with images/ and instances.json> [--model <id|manifest>] [--limit N]
                  [--refine crf|guided|none] [--out <dir>] [--max-side PX] [--thing-k N] [--stuff-k N] [--seed N] [--threads N] [--jobs N] [--tokens-per-image N]
                  [--instance-feature mean-tokens|cls-crop] [--proposals reference|multi|both]
      segments the photos (reusing <out>/cache; default out/eval/<model>-<refine>-<max-side>[-cls-crop][-multi]), scores the outputs,
      prints the table and writes it to <out>/eval.json. --proposals both (the default) runs CutLER's MaskCut
      and the multi-view proposal stage one after the other and prints one table with a row per stage and metric
  npm run eval -- --pred <results.json|instances.json> --gt <instances.json> [--clusters] [--json <file>]
      class-agnostic AP/AR; then class AP with the predictions' own classes, or after mapping clusters to
      classes when the categories are clusters (a dataset whose category names differ from the GT's, or
      --clusters, e.g. for the instances_results.json of npm run segment, whose ids look like class ids)
  npm run eval -- --data <folder> --adapt 1,5,10,20 [adapt-eval flags]
      self-training and few-shot heads on cached features (src/cli/adapt-eval.ts --help)
  npm run eval -- --pred-panoptic <json|dir> --gt-panoptic <json|dir> [--json <file>]
  npm run eval -- --semantic [--data <coco-dev>] [--stuff-data <coco-stuff-10>] [--seeds 0,1,2]
      k-means against STEGO's head on the same tokens: PixelAcc and mIoU, Hungarian-matched (src/cli/semantic-eval.ts --help)`;

const FLAGS = ['data', 'model', 'limit', 'refine', 'out', 'max-side', 'thing-k', 'stuff-k', 'seed', 'threads', 'jobs', 'max-masks', 'tokens-per-image', 'instance-feature', 'proposals',
  'pred', 'gt', 'pred-panoptic', 'gt-panoptic', 'clusters', 'json', 'quiet', 'help'];

function modelOptions(parsed: ParsedArgs, proposals: ProposalMode): ModelEvalOptions {
  const { flags, switches } = parsed;
  const refine = choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine;
  const maxSidePx = intFlag(flags, 'max-side', 16) ?? SEGMENT_DEFAULTS.maxSidePx;
  const instanceFeature = choiceFlag(flags, 'instance-feature', INSTANCE_FEATURES) ?? DEFAULT_INSTANCE_FEATURE;
  const modelId = path.basename(resolveModelManifest(flags.get('model')), '.json');
  const featureSuffix = (instanceFeature === DEFAULT_INSTANCE_FEATURE ? '' : `-${instanceFeature}`) + (proposals === 'reference' ? '' : `-${proposals}`);
  // With both stages an explicit --out holds one folder per stage.
  const out = flags.get('out');
  return {
    dataDir: path.resolve(flags.get('data') ?? ''),
    outDir: path.resolve(out ? (bothStages(parsed) ? path.join(out, proposals) : out) : path.join('out', 'eval', `${modelId}-${refine}-${maxSidePx}${featureSuffix}`)),
    model: flags.get('model'),
    refine,
    maxSidePx,
    limit: intFlag(flags, 'limit', 1),
    thingK: intFlag(flags, 'thing-k', 1),
    stuffK: intFlag(flags, 'stuff-k', 1) ?? SEGMENT_DEFAULTS.stuffK,
    seed: intFlag(flags, 'seed', 0) ?? SEGMENT_DEFAULTS.seed,
    maxMasks: intFlag(flags, 'max-masks', 1) ?? defaultMaxMasks(proposals),
    proposals,
    instanceFeature,
    threads: intFlag(flags, 'threads', 1),
    jobs: intFlag(flags, 'jobs', 1),
    tokensPerImage: intFlag(flags, 'tokens-per-image', 1),
    progress: switches.has('quiet') ? null : process.stderr,
  };
}

async function run(parsed: ParsedArgs): Promise<{ report: EvalReport; jsonPath?: string }> {
  const { flags, switches } = parsed;
  if (flags.has('data')) {
    const stages = bothStages(parsed) ? PROPOSAL_MODES : [choiceFlag(flags, 'proposals', PROPOSAL_MODES) ?? DEFAULT_PROPOSALS];
    const reports: EvalReport[] = [];
    let jsonPath = '';
    for (const proposals of stages) {
      const opts = modelOptions(parsed, proposals);
      if (!parsed.switches.has('quiet')) process.stderr.write(`proposals ${proposals}: ${opts.outDir}\n`);
      reports.push(await evaluateModel(opts));
      jsonPath = stages.length > 1 ? path.join(path.dirname(opts.outDir), `eval-${stages.join('-')}.json`) : path.join(opts.outDir, 'eval.json');
    }
    const report = stages.length === 1 ? reports[0] : sideBySide(stages, reports);
    return { report, jsonPath: flags.get('json') ?? jsonPath };
  }
  const report = await evaluateFiles({
    pred: flags.get('pred'),
    gt: flags.get('gt'),
    predPanoptic: flags.get('pred-panoptic'),
    gtPanoptic: flags.get('gt-panoptic'),
    clusters: switches.has('clusters'),
  });
  return { report, jsonPath: flags.get('json') };
}

/** Both proposal stages unless --proposals names one. */
function bothStages(parsed: ParsedArgs): boolean {
  const raw = parsed.flags.get('proposals');
  return raw === undefined || raw === 'both';
}

/** One row per stage and metric: the stage's name first, its rows in order. */
function sideBySide(stages: readonly ProposalMode[], reports: readonly EvalReport[]): EvalReport {
  const rows = stages.flatMap((stage, i) => reports[i].rows.map((r) => ({ proposals: stage, ...r })));
  return { rows, details: Object.fromEntries(stages.map((stage, i) => [stage, reports[i].details])) };
}

/** Runs the command; prints the table on stdout and returns the exit code. */
export async function runEvalCli(args: string[]): Promise<number> {
  // `--adapt 1,5,10,20` is the self-training / few-shot evaluation (method.md §6): its own CLI.
  const adapt = args.indexOf('--adapt');
  if (adapt >= 0) {
    const rest = [...args.slice(0, adapt), '--k', args[adapt + 1] ?? '1,5,10,20', ...args.slice(adapt + 2)];
    return (await import('./adapt-eval')).runAdaptEvalCli(rest);
  }
  if (args.includes('--semantic')) return (await import('./semantic-eval')).runSemanticEvalCli(args);
  const parsed = parseCommand(args, ['clusters', 'quiet', 'help'], FLAGS, USAGE);
  if (typeof parsed === 'number') return parsed;
  try {
    const { report, jsonPath } = await run(parsed);
    process.stdout.write(`${formatRows(report.rows)}\n`);
    if (jsonPath) {
      await writeJsonAtomic(path.resolve(jsonPath), { date: new Date().toISOString(), args, rows: report.rows, details: report.details });
      process.stderr.write(`written to ${path.resolve(jsonPath)}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runEvalCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
