// Serves the built app (dist/) with Vite's preview server: the real headers (COOP/COEP) on a
// free local port, as a user's `npm start` would.
import path from 'node:path';
import { preview, type PreviewServer } from 'vite';

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

export async function serveBuiltApp(): Promise<AppServer> {
  const root = path.resolve(import.meta.dirname, '../..');
  // E2E_DIST serves another build folder, so that a test run is not disturbed by a concurrent `vite build`.
  const outDir = process.env.E2E_DIST;
  const server: PreviewServer = await preview({ root, logLevel: 'warn', preview: { port: 0, host: '127.0.0.1' }, ...(outDir ? { build: { outDir } } : {}) });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('preview server did not report a URL');
  return { url, close: () => server.close() };
}
