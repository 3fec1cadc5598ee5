// Shows which backend runs the model (WebGPU or WASM, with workers and threads) and which model is loaded.
import { useApp } from '../../state/store';

export function BackendBadge() {
  const backend = useApp((s) => s.backend);
  if (backend.status === 'loading') return <span className="badge" data-testid="backend-badge">loading model…</span>;
  if (backend.status === 'error') {
    return (
      <span className="badge badge-error" data-testid="backend-badge" title={backend.error}>
        model failed to load
      </span>
    );
  }
  const info = backend.info;
  const threads = `${info?.threads ?? 1} thread${info?.threads === 1 ? '' : 's'}`;
  const workers = backend.workers ?? 1;
  const label = info?.backend === 'webgpu' ? (workers > 1 ? `WebGPU · ${workers} workers` : 'WebGPU') : `WASM · ${workers > 1 ? `${workers} workers × ` : ''}${threads}`;
  return (
    <span className="badge" data-testid="backend-badge" data-backend={info?.backend} title={info?.detail ?? ''}>
      {label} · {backend.modelName}
    </span>
  );
}
