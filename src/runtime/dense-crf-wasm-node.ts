// Builds the dense CRF's WebAssembly kernels (method.md §2 step 7 and §4) from their
// AssemblyScript sources in wasm/dense-crf/assembly, and loads them in Node for the core's DenseCrf.
//
// The build runs in `npm run setup` (AssemblyScript is an npm dev dependency: no system
// toolchain). public/wasm/dense-crf.wasm is generated, never committed; dense-crf.json beside it
// records the hash of the sources, flags and compiler it came from, so a stale build is redone.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { denseCrfWasmModule, setDenseCrfWasm } from '../core/pipeline/dense-crf';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const DENSE_CRF_WASM_SOURCES = path.join(ROOT, 'wasm/dense-crf/assembly');
export const DENSE_CRF_WASM_FILE = path.join(ROOT, 'public/wasm/dense-crf.wasm');
const STAMP_FILE = DENSE_CRF_WASM_FILE.replace(/\.wasm$/, '.json');
/** Release build, no runtime (the host manages memory), no imports, fixed-width SIMD only. */
export const DENSE_CRF_ASC_FLAGS = ['-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--enable', 'simd'];

function ascVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/assemblyscript/package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Hash of what the module is built from: every source file, the flags and the compiler version. */
export function denseCrfWasmSourceHash(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(DENSE_CRF_WASM_SOURCES).filter((f) => f.endsWith('.ts')).sort()) {
    h.update(f).update('\0').update(readFileSync(path.join(DENSE_CRF_WASM_SOURCES, f))).update('\0');
  }
  return h.update(DENSE_CRF_ASC_FLAGS.join(' ')).update('\0').update(ascVersion()).digest('hex');
}

export function denseCrfWasmIsCurrent(): boolean {
  if (!existsSync(DENSE_CRF_WASM_FILE) || !existsSync(STAMP_FILE)) return false;
  try {
    const stamp = JSON.parse(readFileSync(STAMP_FILE, 'utf8')) as { sourceSha256?: string };
    return stamp.sourceSha256 === denseCrfWasmSourceHash();
  } catch {
    return false;
  }
}

/** Compiles the kernels to `outFile` (default public/wasm/dense-crf.wasm) and writes the stamp beside it. */
export async function buildDenseCrfWasm(outFile = DENSE_CRF_WASM_FILE): Promise<{ bytes: number; ms: number }> {
  const t0 = performance.now();
  const { default: asc } = await import('assemblyscript/asc');
  let stderr = '';
  const tmp = `${outFile}.${process.pid}.tmp`;
  mkdirSync(path.dirname(outFile), { recursive: true });
  const result = await asc.main([path.join(DENSE_CRF_WASM_SOURCES, 'index.ts'), '--outFile', tmp, ...DENSE_CRF_ASC_FLAGS], {
    stderr: { write: (s: string | Uint8Array) => void (stderr += String(s)) } as never,
  });
  if (result.error) throw new Error(`building dense-crf.wasm failed: ${result.error.message}\n${stderr}`);
  renameSync(tmp, outFile);
  const bytes = readFileSync(outFile).length;
  writeFileSync(outFile.replace(/\.wasm$/, '.json'), `${JSON.stringify({ sourceSha256: denseCrfWasmSourceHash(), assemblyscript: ascVersion(), flags: DENSE_CRF_ASC_FLAGS }, null, 2)}\n`);
  return { bytes, ms: performance.now() - t0 };
}

/**
 * Registers the kernels with DenseCrf (building them first when missing or stale, unless
 * `build` is false). On any failure DenseCrf stays on its TypeScript engine and the reason is
 * written to `log`. Returns the engine in use.
 */
export async function loadDenseCrfWasm(options: { build?: boolean; log?: (line: string) => void } = {}): Promise<'wasm' | 'ts'> {
  if (denseCrfWasmModule()) return 'wasm';
  const log = options.log ?? ((s: string) => void process.stderr.write(`${s}\n`));
  try {
    if (!denseCrfWasmIsCurrent()) {
      if (options.build === false) throw new Error(`${path.relative(ROOT, DENSE_CRF_WASM_FILE)} is missing or stale; run "npm run setup"`);
      const { bytes, ms } = await buildDenseCrfWasm();
      log(`[dense-crf] built ${path.relative(ROOT, DENSE_CRF_WASM_FILE)} (${(bytes / 1024).toFixed(0)} KiB, ${(ms / 1000).toFixed(1)} s)`);
    }
    setDenseCrfWasm(new WebAssembly.Module(readFileSync(DENSE_CRF_WASM_FILE)));
    return 'wasm';
  } catch (err) {
    log(`[dense-crf] WebAssembly kernels unavailable, using the TypeScript CRF (slower): ${(err as Error).message}`);
    return 'ts';
  }
}
