// Shows which backend runs the model (WebGPU or WASM, with threads) and which model is loaded.
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
  const label = info?.backend === 'webgpu' ? 'WebGPU' : `WASM · ${info?.threads ?? 1} thread${info?.threads === 1 ? '' : 's'}`;
  return (
    <span className="badge" data-testid="backend-badge" data-backend={info?.backend} title={info?.detail ?? ''}>
      {label} · {backend.modelName}
    </span>
  );
}
