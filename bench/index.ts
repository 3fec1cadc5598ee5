// `npm run bench -- <suite> [args]`: runs one benchmark suite, prints its table and writes
// bench/results/<suite>.json. Speed and memory targets live here, never in timed tests.
import os from 'node:os';
import { benchAdapt } from './adapt';
import { benchApp } from './app';
import { benchBackbone } from './backbone';
import { benchCrf } from './crf';
import { benchEigen } from './eigen';
import { benchKmeans } from './kmeans';
import { benchPipeline } from './pipeline';
import { benchQueue } from './queue';
import { benchStego } from './stego';
import { formatTable, writeResults, type Row } from './table';
import { benchTrain } from './train';
import { benchTrainBrowser } from './train-browser';

/** One table, or several titled ones (the first is the JSON's `rows`, the rest go under `tables`). */
type SuiteResult = Row[] | { tables: { title: string; rows: Row[] }[] };

const SUITES: Record<string, (args: string[]) => Promise<SuiteResult>> = {
  adapt: benchAdapt,
  app: benchApp,
  backbone: benchBackbone,
  crf: benchCrf,
  eigen: () => benchEigen(),
  kmeans: benchKmeans,
  pipeline: benchPipeline,
  queue: benchQueue,
  stego: benchStego,
  train: benchTrain,
  'train-browser': benchTrainBrowser,
};

async function main(): Promise<void> {
  const [suite, ...args] = process.argv.slice(2);
  const run = suite ? SUITES[suite] : undefined;
  if (!run) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(SUITES).join('|')}> [args]\n`);
    process.exit(2);
  }
  const result = await run(args);
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', node: process.version };
  if (Array.isArray(result)) {
    process.stdout.write(`${formatTable(result)}\n`);
    process.stdout.write(`written to ${writeResults(suite, result, { machine, args })}\n`);
    return;
  }
  for (const t of result.tables) process.stdout.write(`${t.title}\n${formatTable(t.rows)}\n\n`);
  const [first, ...rest] = result.tables;
  process.stdout.write(`written to ${writeResults(suite, first?.rows ?? [], { machine, args, title: first?.title, tables: rest })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
