// Where the semantic clusters come from, beside the legend: k-means on the tokens (provisional),
// STEGO's head in training (progress, loss curve, Stop), or the trained head that made them.
import { perform } from '../../actions/registry';
import { useSemantic } from '../../state/semantic-store';
import { useSeg } from '../../state/segmentation-store';
import { LossCurve } from '../adapt/LossCurve';

const BACKENDS = { webgpu: 'WebGPU', cpu: 'CPU' } as const;

const PHASES = { preparing: 'Reading the photos’ features', training: 'Training STEGO’s head', clustering: 'Clustering the codes' } as const;

export function SemanticPanel() {
  const { summary, progress, running } = useSemantic();
  const ready = useSeg((s) => s.clusters != null);
  const idle = useSeg((s) => s.progress.phase === 'idle');
  if (!ready) return null;
  // Which trainer runs (from its first report) or ran; sessions saved before there were two do not say.
  const backend = running ? progress?.backend : summary?.backend;
  const note = running ? progress?.backendNote : summary?.backendNote;
  const status = summary
    ? `semantic: STEGO head (${summary.photos} photos, ${summary.steps} steps${summary.stopped ? ', stopped early' : ''})`
    : 'semantic: k-means on the features';
  return (
    <div className="adapt-panel semantic-panel" data-testid="semantic-panel" data-source={summary ? 'stego' : 'kmeans'}>
      <span data-testid="semantic-status">{running ? 'semantic: training STEGO’s head…' : status}</span>
      {backend && (
        <span className="semantic-backend" data-testid="semantic-backend" data-backend={backend} title={note ? `${BACKENDS[backend]}: ${note}` : undefined}>
          {BACKENDS[backend]}
        </span>
      )}
      {!running && (
        <button onClick={() => perform('semantic.train')} disabled={!idle} data-testid="semantic-train" title="Train STEGO's head on every photo of the session">
          {summary ? 'Retrain' : 'Train STEGO'}
        </button>
      )}
      {running && progress && (
        <div className="adapt-progress" data-testid="semantic-progress" data-phase={progress.phase}>
          <div>
            {PHASES[progress.phase]}
            {progress.totalSteps > 0 && ` · step ${progress.step} of ${progress.totalSteps}`}
          </div>
          <progress max={Math.max(progress.totalSteps, 1)} value={progress.step} />
          {progress.history.length > 0 && <div className="adapt-metrics">loss {progress.history[progress.history.length - 1].loss.toFixed(4)}</div>}
          <LossCurve rounds={[progress.history.map((h) => ({ loss: h.loss }))]} />
          {progress.phase === 'training' && (
            <button onClick={() => perform('semantic.cancel')} data-testid="semantic-cancel">
              Stop (Esc)
            </button>
          )}
        </div>
      )}
    </div>
  );
}
