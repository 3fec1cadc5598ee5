// `npm run segment -- <photo folder> --out <folder> [...]`: U2Seg pseudo labels for a folder of
// photos (method.md §1–§5) as COCO files. A thin shell over src/batch/segment.ts.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultMaxMasks, DEFAULT_PROPOSALS, runSegment, SEGMENT_DEFAULTS, type SegmentOptions, type SegmentSummary } from '../batch/segment';
import { PROPOSAL_MODES } from '../core/pipeline/image-pass';
import { PROPOSAL_DEFAULTS } from '../core/pipeline/instance-proposals';
import { DEFAULT_INSTANCE_FEATURE, INSTANCE_FEATURES } from '../batch/cache';
import { parseShard } from '../batch/image-list';
import { SEMANTIC_CHOICES } from '../batch/semantic-head';
import { STEGO_DEFAULTS, STEGO_MIN_PHOTOS } from '../core/stego/train';
import { checkKnownFlags, choiceFlag, intFlag, parseArgs, type ParsedArgs } from './args';
import { isQueueCommand, queueCommandFromArgs, runQueueCommand, QUEUE_FLAGS, QUEUE_ONLY_FLAGS, QUEUE_USAGE } from './segment-queue';

const USAGE = `usage: npm run segment -- <photo folder> --out <folder> [options]
  --model <id|manifest.json>  backbone (default: public/models/index.json's default)
  --shard i/n                 phase 1 on photos i, i+n, i+2n, … of the sorted folder only
  --refine crf|guided|none    MaskCut mask refinement (default ${SEGMENT_DEFAULTS.refine})
  --thing-k N                 thing clusters (default √instances, 2..80)
  --stuff-k N                 semantic clusters (default ${SEGMENT_DEFAULTS.stuffK})
  --max-side PX               label resolution limit (default ${SEGMENT_DEFAULTS.maxSidePx}); outputs are at the photo's size
  --seed N                    k-means seed (default ${SEGMENT_DEFAULTS.seed})
  --proposals reference|multi instance masks: CutLER's MaskCut, or the multi-view stage (rounds until the graph has
                              no structure left, on the photo and 2×2 overlapping crops, split into parts, scored,
                              voted across views); default ${DEFAULT_PROPOSALS}
  --max-masks N               masks per photo (default ${SEGMENT_DEFAULTS.maxMasks} for reference, ${PROPOSAL_DEFAULTS.maxProposals} for multi)
  --tau T                     MaskCut affinity threshold (default: the model manifest's)
  --instance-feature mean-tokens|cls-crop
                              instance feature for the thing clusters: mean of its patch tokens, or the
                              backbone's CLS on its masked crop (one more backbone run per instance); default ${DEFAULT_INSTANCE_FEATURE}
  --threads N                 onnxruntime threads in all (default: all cores), shared by the jobs
  --jobs N                    photos processed at once, each on a worker thread (default: one per core, at most 4);
                              phase 2 labels N photos at once too, and from 2 on trains STEGO's head on two threads
  --limit N                   only the first N photos of the sorted folder
  --tokens-per-image N        patch tokens per photo for the stuff clusters (default: 12000 in all, 16..400 per photo)
  --semantic auto|stego|kmeans
                              stuff clusters on the codes of STEGO's head trained in phase 2, or k-means on the
                              tokens; auto (default) trains STEGO from ${STEGO_MIN_PHOTOS} photos on
  --stego-steps N             STEGO training steps (default ${STEGO_DEFAULTS.steps})
  --finalize                  phase 2 only, over every photo in <out>/cache (after merging shards)
  --quiet                     no progress on stderr
Photos already in <out>/cache are skipped (resume). Phase 2 runs by itself once the cache covers the folder.
Shards on several machines by hand: copy every <out>/cache/entries and cache/failed into one <out>/cache, then --finalize.
${QUEUE_USAGE}`;

const FLAGS = ['out', 'model', 'shard', 'refine', 'thing-k', 'stuff-k', 'max-side', 'seed', 'max-masks', 'proposals', 'tau', 'instance-feature', 'threads', 'jobs', 'limit', 'tokens-per-image', 'semantic', 'stego-steps', 'finalize', 'quiet', 'help', ...QUEUE_FLAGS];
const SWITCHES = ['finalize', 'quiet', 'help', 'status'];

function parseSegmentArgs(args: readonly string[]): ParsedArgs {
  const parsed = parseArgs(args, SWITCHES);
  checkKnownFlags(parsed, FLAGS);
  return parsed;
}

export function segmentOptionsFromArgs(args: string[]): SegmentOptions {
  return segmentOptionsFromParsed(parseSegmentArgs(args));
}

function segmentOptionsFromParsed(parsed: ParsedArgs): SegmentOptions {
  const { flags, positional, switches } = parsed;
  const out = flags.get('out');
  if (!out) throw new Error('--out <folder> is required');
  if (positional.length > 1) throw new Error(`one photo folder expected, got ${positional.length}`);
  const tau = flags.has('tau') ? Number(flags.get('tau')) : undefined;
  const proposals = choiceFlag(flags, 'proposals', PROPOSAL_MODES) ?? DEFAULT_PROPOSALS;
  if (tau !== undefined && !(tau > -1 && tau < 1)) throw new Error(`--tau must be a number in (-1, 1), got "${flags.get('tau')}"`);
  return {
    folder: positional[0],
    outDir: path.resolve(out),
    model: flags.get('model'),
    shard: flags.has('shard') ? parseShard(flags.get('shard') ?? '') : undefined,
    refine: choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine,
    thingK: intFlag(flags, 'thing-k', 1),
    stuffK: intFlag(flags, 'stuff-k', 1) ?? SEGMENT_DEFAULTS.stuffK,
    maxSidePx: intFlag(flags, 'max-side', 16) ?? SEGMENT_DEFAULTS.maxSidePx,
    seed: intFlag(flags, 'seed', 0) ?? SEGMENT_DEFAULTS.seed,
    maxMasks: intFlag(flags, 'max-masks', 1) ?? defaultMaxMasks(proposals),
    proposals,
    tau,
    instanceFeature: choiceFlag(flags, 'instance-feature', INSTANCE_FEATURES) ?? DEFAULT_INSTANCE_FEATURE,
    threads: intFlag(flags, 'threads', 1),
    jobs: intFlag(flags, 'jobs', 1),
    limit: intFlag(flags, 'limit', 1),
    tokensPerImage: intFlag(flags, 'tokens-per-image', 1),
    semantic: choiceFlag(flags, 'semantic', SEMANTIC_CHOICES),
    stegoSteps: intFlag(flags, 'stego-steps', 1),
    finalizeOnly: switches.has('finalize'),
    progress: switches.has('quiet') ? null : process.stderr,
  };
}

function report(summary: SegmentSummary, outDir: string): void {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  for (const f of summary.failed) log(`  failed: ${f.key}: ${f.error}`);
  const fin = summary.finalized;
  if (!fin) return;
  const t = fin.timingsMs;
  if (fin.reused) return;
  log(`phase 2: ${fin.images} photos, ${fin.instances} instances, ${fin.thingK} thing + ${fin.stuffK} stuff clusters ` +
    `(load ${Math.round(t.load)} ms, clustering ${Math.round(t.clustering)} ms, labels ${Math.round(t.labels)} ms, write ${Math.round(t.write)} ms)`);
  log(`wrote ${outDir}/instances.json, instances_results.json, annotations/panoptic_pseudo(.json), semantic/, clusters.json`);
}

/** Runs the command; returns the exit code (2 for usage errors, 1 for fatal ones). */
export async function runSegmentCli(args: string[]): Promise<number> {
  if (args.includes('--help') || args.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return args.length === 0 ? 2 : 0;
  }
  let run: () => Promise<number>;
  try {
    const parsed = parseSegmentArgs(args);
    if (isQueueCommand(parsed)) {
      const command = queueCommandFromArgs(parsed, segmentOptionsFromParsed);
      run = () => runQueueCommand(command);
    } else {
      const queueOnly = QUEUE_ONLY_FLAGS.filter((k) => parsed.flags.has(k));
      if (queueOnly.length) throw new Error(`${queueOnly.map((k) => `--${k}`).join(', ')} only apply with --queue or --worker`);
      const opts = segmentOptionsFromParsed(parsed);
      run = async () => {
        report(await runSegment(opts), opts.outDir);
        return 0;
      };
    }
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run();
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runSegmentCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
