import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation: ORT's WASM threads need SharedArrayBuffer, which needs COOP/COEP on
// every response, in dev and in preview (the server the e2e tests use).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  // ORT's "extern wasm" entry leaves its .wasm out of the bundle: the app serves public/ort/ itself.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
