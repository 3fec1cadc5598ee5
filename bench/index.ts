// `npm run bench -- <suite> [args]`: runs one benchmark suite, prints its table and writes
// bench/results/<suite>.json. Speed and memory targets live here, never in timed tests.
import os from 'node:os';
import { benchBackbone } from './backbone';
import { benchEigen } from './eigen';
import { formatTable, writeResults, type Row } from './table';

const SUITES: Record<string, (args: string[]) => Promise<Row[]>> = {
  backbone: benchBackbone,
  eigen: () => benchEigen(),
};

async function main(): Promise<void> {
  const [suite, ...args] = process.argv.slice(2);
  const run = suite ? SUITES[suite] : undefined;
  if (!run) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(SUITES).join('|')}> [args]\n`);
    process.exit(2);
  }
  const rows = await run(args);
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', node: process.version };
  process.stdout.write(`${formatTable(rows)}\n`);
  process.stdout.write(`written to ${writeResults(suite, rows, { machine, args })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
