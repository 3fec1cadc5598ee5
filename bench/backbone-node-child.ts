// Times one model in its own Node process so that its peak memory (maxRSS) is its own.
import { openNodeBackbone } from '../src/runtime/ort-node';

const [manifestPath, budgetMsArg] = process.argv.slice(2);
const budgetMs = Number(budgetMsArg ?? 20000);
const session = await openNodeBackbone(manifestPath);
const S = session.manifest.inputSize;
const input = new Float32Array(3 * S * S).map((_, i) => Math.sin(i * 0.01));
const tw = performance.now();
await session.run(input);
const warmMs = performance.now() - tw;
const runs = Math.max(1, Math.min(5, Math.floor(budgetMs / Math.max(warmMs, 1))));
const ms: number[] = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  await session.run(input);
  ms.push(performance.now() - t0);
}
await session.release();
process.stdout.write(JSON.stringify({ ms, threads: session.info.threads, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
