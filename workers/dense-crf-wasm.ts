// Loads the dense CRF's WebAssembly kernels (method.md §2 step 7 and §4) in a worker: the app
// serves public/wasm/dense-crf.wasm (built by `npm run setup`), as it serves onnxruntime's files.
import { denseCrfWasmModule, setDenseCrfWasm } from '../src/core/pipeline/dense-crf';

const WASM_URL = `${import.meta.env.BASE_URL}wasm/dense-crf.wasm`;
let loading: Promise<'wasm' | 'ts'> | null = null;

/** Registers the kernels with DenseCrf once per worker; on failure the TypeScript CRF stays in use. */
export function loadDenseCrfWasm(): Promise<'wasm' | 'ts'> {
  loading ??= (async () => {
    if (denseCrfWasmModule()) return 'wasm';
    try {
      const res = await fetch(WASM_URL);
      if (!res.ok) throw new Error(`${WASM_URL}: HTTP ${res.status} (run "npm run setup")`);
      setDenseCrfWasm(await WebAssembly.compile(await res.arrayBuffer()));
      return 'wasm';
    } catch (err) {
      console.warn(`dense CRF: WebAssembly kernels not loaded, using the TypeScript CRF (slower): ${(err as Error).message}`);
      return 'ts';
    }
  })();
  return loading;
}
