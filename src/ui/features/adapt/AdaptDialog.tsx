// The Adapt dialog (method.md §6 in the browser): how many photos carry the user's labels, the
// training options, the running training (progress, loss, stop), the head's report and its files.
import { useEffect, useRef, useState } from 'react';
import { perform } from '../../actions/registry';
import { importHeadFile, labelledPhotoIds } from '../../processing/adapt';
import { userLabelledCount } from '../../processing/user-labels';
import { useAdapt, type AdaptOptions } from '../../state/adapt-store';
import { useSeg } from '../../state/segmentation-store';
import { AdaptProgressView } from './AdaptProgressView';
import { HeadReport } from './HeadReport';

function useLabelCounts(open: boolean): { photos: number; byUser: number | null } {
  const [byUser, setByUser] = useState<number | null>(null);
  const photos = open ? labelledPhotoIds().length : 0;
  useEffect(() => {
    if (!open) return;
    let stale = false;
    void userLabelledCount(labelledPhotoIds()).then((n) => !stale && setByUser(n), () => !stale && setByUser(null));
    return () => {
      stale = true;
    };
  }, [open]);
  return { photos, byUser };
}

function Options({ options, disabled }: { options: AdaptOptions; disabled: boolean }) {
  const set = useAdapt((s) => s.setOptions);
  return (
    <fieldset className="adapt-options" disabled={disabled}>
      <label>
        Head{' '}
        <select value={options.kind} onChange={(e) => set({ kind: e.target.value === 'linear' ? 'linear' : 'mlp' })} data-testid="adapt-kind">
          <option value="mlp">MLP, {options.hiddenDim} hidden units</option>
          <option value="linear">linear (fastest)</option>
        </select>
      </label>
      <label>
        Epochs{' '}
        <input type="number" min={1} max={100} value={options.epochs} onChange={(e) => set({ epochs: Math.max(1, Math.min(100, Number(e.target.value) || 1)) })} data-testid="adapt-epochs" />
      </label>
      <label>
        <input type="checkbox" checked={options.pseudoLabels} onChange={() => set({ pseudoLabels: !options.pseudoLabels })} data-testid="adapt-pseudo" /> learn the
        pseudo labels (with your names and merges) where you have not labelled
      </label>
      <label>
        Weight of your labels{' '}
        <select value={options.userWeight} onChange={(e) => set({ userWeight: Number(e.target.value) })}>
          {[1, 5, 20].map((w) => (
            <option key={w} value={w}>
              ×{w}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input type="checkbox" checked={options.rounds === 2} onChange={() => set({ rounds: options.rounds === 2 ? 1 : 2 })} data-testid="adapt-rounds" /> a second
        self-training round on the first round's confident predictions
      </label>
      <label>
        Compute{' '}
        <select value={options.backend} data-testid="adapt-backend" onChange={(e) => set({ backend: e.target.value === 'cpu' ? 'cpu' : e.target.value === 'webgpu' ? 'webgpu' : 'auto' })}>
          <option value="auto">WebGPU when available, else CPU</option>
          <option value="cpu">CPU (TypeScript)</option>
          <option value="webgpu">WebGPU</option>
        </select>
      </label>
    </fieldset>
  );
}

export function AdaptDialog() {
  const open = useSeg((s) => s.dialog === 'adapt');
  const { summary, progress, running, options, source } = useAdapt();
  const counts = useLabelCounts(open && !running);
  const fileInput = useRef<HTMLInputElement>(null);
  if (!open) return null;
  const close = () => useSeg.getState().setDialog(null);
  return (
    <div className="dialog-backdrop" onClick={close}>
      <div className="dialog adapt-dialog" role="dialog" aria-label="Adapt" onClick={(e) => e.stopPropagation()}>
        <h2>Adapt to your labels</h2>
        <p className="hint">
          Trains a light head on the features already computed (the backbone stays as it is), then labels every photo with your classes.
          Label a few photos with the brush, a segment fill or imported ground truth; name and merge clusters in the legend.
        </p>
        <div data-testid="adapt-counts">
          {counts.photos} photos labelled by the pipeline{counts.byUser != null ? `, ${counts.byUser} of them labelled by you` : ''}.
        </div>
        <Options options={options} disabled={running} />
        {progress && <AdaptProgressView progress={progress} />}
        {summary && !running && <HeadReport summary={summary} />}
        {summary && !running && (
          <label>
            <input type="checkbox" checked={source === 'head'} onChange={() => perform('adapt.toggleSource')} data-testid="adapt-show-head" /> show the head's labels (t)
          </label>
        )}
        <input ref={fileInput} type="file" accept=".json,application/json" hidden onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void importHeadFile(file);
        }} data-testid="adapt-load-input" />
        <div className="dialog-buttons">
          <button onClick={() => fileInput.current?.click()} disabled={running}>Load head…</button>
          <button onClick={() => perform('adapt.exportHead')} disabled={!summary || running} data-testid="adapt-export">Export head</button>
          <button onClick={() => perform('adapt.removeHead')} disabled={!summary || running}>Remove head</button>
          <button onClick={close}>Close</button>
          <button className="primary" onClick={() => perform('adapt.train')} disabled={running} data-testid="adapt-train">
            {running ? 'Training…' : summary ? 'Train again' : 'Train'}
          </button>
        </div>
      </div>
    </div>
  );
}
