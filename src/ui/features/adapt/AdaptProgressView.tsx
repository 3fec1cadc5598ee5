// What a running adaptation is doing: the phase, a bar, the epoch's loss and accuracy, the curve.
import type { AdaptProgress } from '../../../../workers/adapt-api';
import { perform } from '../../actions/registry';
import { LossCurve } from './LossCurve';

const PHASES: Record<AdaptProgress['phase'], string> = {
  preparing: 'Reading features and labels',
  training: 'Training',
  predicting: 'Labelling the photos with the head',
};

export function AdaptProgressView({ progress }: { progress: AdaptProgress }) {
  const last = progress.history?.at(-1);
  const round = progress.rounds > 1 && progress.phase === 'training' ? ` · round ${progress.round} of ${progress.rounds}` : '';
  const epoch = progress.epoch ? ` · epoch ${progress.epoch} of ${progress.epochs}` : '';
  return (
    <div className="adapt-progress" data-testid="adapt-progress" data-phase={progress.phase}>
      <div>
        {PHASES[progress.phase]}
        {round}
        {epoch}
      </div>
      <progress max={Math.max(progress.total, 1)} value={progress.done} />
      {last && (
        <div className="adapt-metrics">
          loss {last.loss.toFixed(3)} · accuracy {(100 * last.accuracy).toFixed(1)} %
        </div>
      )}
      <LossCurve rounds={[progress.history ?? []]} />
      {progress.phase !== 'predicting' && (
        // Relabelling is short and leaves every photo consistent, so only training stops.
        <button onClick={() => perform('adapt.cancel')} data-testid="adapt-cancel">
          Stop (Esc)
        </button>
      )}
    </div>
  );
}
