// The Models panel (left column): served and imported models with the active one marked, import of
// .pth/.safetensors/.onnx files, official DINO downloads with progress and cancel.
import { useEffect, useRef } from 'react';
import { CONVERSION_INPUT_SIZES_PX } from '../../../core/backbone/model-import';
import {
  cancelModelJob,
  deleteCachedModel,
  downloadCheckpoint,
  importModelFile,
  refreshModels,
  selectModel,
} from '../../processing/model-import';
import { useApp, type ModelEntry, type ModelJob } from '../../state/store';

const BYTES_PER_MB = 1024 * 1024;

function megabytes(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(1)} MB`;
}

function details(m: ModelEntry): string {
  if (m.origin === 'served') return 'built in';
  const parts = ['imported'];
  if (m.inputSizePx) parts.push(`${m.inputSizePx} px`);
  if (m.sizeBytes !== undefined) parts.push(megabytes(m.sizeBytes));
  return parts.join(' · ');
}

function ModelItem({ model, active, busy }: { model: ModelEntry; active: boolean; busy: boolean }) {
  return (
    <li className={active ? 'model-item active' : 'model-item'} data-testid="model-item" data-model-id={model.id} data-origin={model.origin} data-active={active}>
      <button
        className="model-select"
        aria-pressed={active}
        disabled={busy || active}
        title={active ? 'in use' : `use ${model.name}`}
        onClick={() => void selectModel(model.id)}
      >
        <span className="model-mark" aria-hidden>{active ? '●' : '○'}</span>
        <span className="model-name">{model.name}</span>
        <span className="model-details">{details(model)}</span>
      </button>
      {model.origin === 'cached' && (
        <button
          className="model-delete"
          aria-label={`delete ${model.name}`}
          title={active ? 'the model in use cannot be deleted' : 'delete from this browser'}
          disabled={active}
          onClick={() => void deleteCachedModel(model.id)}
        >
          ×
        </button>
      )}
    </li>
  );
}

function ModelList() {
  const served = useApp((s) => s.models.served);
  const cached = useApp((s) => s.models.cached);
  const backend = useApp((s) => s.backend);
  const busy = backend.status === 'loading';
  // An imported model shadows a served one with the same id (the worker looks in the cache first).
  const cachedIds = new Set(cached.map((m) => m.id));
  const all = [...served.filter((m) => !cachedIds.has(m.id)), ...cached];
  if (!all.length) return <p className="models-empty">No models yet.</p>;
  return (
    <ul className="model-list" data-testid="model-list">
      {all.map((m) => (
        <ModelItem key={`${m.origin}-${m.id}`} model={m} active={backend.modelId === m.id} busy={busy} />
      ))}
    </ul>
  );
}

/** The kind is only a label for messages: the worker sniffs the bytes itself. */
function kindByName(name: string): 'onnx' | 'pth' | 'safetensors' {
  if (/\.onnx$/i.test(name)) return 'onnx';
  if (/\.safetensors$/i.test(name)) return 'safetensors';
  return 'pth';
}

function ConversionOptions() {
  const inputSizePx = useApp((s) => s.models.inputSizePx);
  const numHeads = useApp((s) => s.models.numHeads);
  const setModels = useApp((s) => s.setModels);
  return (
    <div className="model-options">
      <label>
        Convert at
        <select data-testid="model-input-size" value={inputSizePx} onChange={(e) => setModels({ inputSizePx: Number(e.target.value) })}>
          {CONVERSION_INPUT_SIZES_PX.map((s) => (
            <option key={s} value={s}>
              {s} px
            </option>
          ))}
        </select>
      </label>
      <label title="Only for checkpoints whose width is not a multiple of 64; official DINO models use 64-dim heads">
        Heads
        <input
          data-testid="model-heads"
          type="number"
          min={1}
          placeholder="auto"
          value={numHeads ?? ''}
          onChange={(e) => setModels({ numHeads: Number(e.target.value) > 0 ? Math.round(Number(e.target.value)) : null })}
        />
      </label>
    </div>
  );
}

function ImportButton({ busy }: { busy: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button className="model-import" disabled={busy} onClick={() => input.current?.click()}>
        Import model file…
      </button>
      <input
        ref={input}
        type="file"
        accept=".pth,.pt,.safetensors,.onnx"
        hidden
        data-testid="model-file-input"
        onChange={(e) => {
          for (const file of Array.from(e.target.files ?? [])) void importModelFile(file, kindByName(file.name));
          e.target.value = '';
        }}
      />
    </>
  );
}

function Downloads({ busy }: { busy: boolean }) {
  const checkpoints = useApp((s) => s.models.checkpoints);
  if (!checkpoints.length) return null;
  return (
    <div className="model-downloads">
      <span>Official DINO weights:</span>
      {checkpoints.map((c) => (
        <button key={c.id} data-testid={`download-${c.id}`} disabled={busy} title={`download ${c.url}`} onClick={() => void downloadCheckpoint(c.id)}>
          {c.label}
        </button>
      ))}
    </div>
  );
}

function stageText(job: ModelJob): string {
  switch (job.stage) {
    case 'starting':
      return `Starting ${job.label}…`;
    case 'downloading': {
      const done = megabytes(job.doneBytes ?? 0);
      return `Downloading ${job.label}: ${job.totalBytes ? `${done} of ${megabytes(job.totalBytes)}` : done}`;
    }
    case 'reading':
      return `Reading ${job.label}…`;
    case 'converting':
      return `Converting ${job.label} to ONNX…`;
    case 'validating':
      return `Checking the ONNX graph of ${job.label}…`;
    case 'saving':
      return `Saving ${job.label} in this browser…`;
  }
}

function JobProgress({ job }: { job: ModelJob }) {
  const fraction = job.stage === 'downloading' && job.totalBytes ? (job.doneBytes ?? 0) / job.totalBytes : undefined;
  return (
    <div className="model-job" data-testid="model-job" role="status">
      <span className="model-job-text">{stageText(job)}</span>
      <progress max={1} value={fraction} />
      <button data-testid="model-job-cancel" onClick={cancelModelJob}>
        Cancel
      </button>
    </div>
  );
}

export function ModelsPanel() {
  const job = useApp((s) => s.models.job);
  const activeId = useApp((s) => s.backend.modelId);
  const backendStatus = useApp((s) => s.backend.status);
  useEffect(() => {
    // Listed once the first model has loaded (or failed): the page's start-up comes first.
    if (backendStatus !== 'loading') void refreshModels();
  }, [activeId, backendStatus]);
  const busy = job !== null;
  return (
    <section className="models" data-testid="models-panel" aria-label="Models">
      <h2>Models</h2>
      <ModelList />
      <ConversionOptions />
      <div className="model-actions">
        <ImportButton busy={busy} />
      </div>
      <Downloads busy={busy} />
      {job && <JobProgress job={job} />}
    </section>
  );
}
