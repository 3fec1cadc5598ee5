// Overall progress of the session's work, with a cancel button (the Escape key does the same).
import { perform } from '../../actions/registry';
import { useSeg } from '../../state/segmentation-store';

export function ProgressBar() {
  const p = useSeg((s) => s.progress);
  if (p.phase === 'idle' || p.total === 0) return null;
  const pct = Math.round((100 * p.done) / p.total);
  return (
    <div className="progress" data-testid="progress">
      <span>
        {p.phase} {p.done}/{p.total}
      </span>
      <progress max={p.total} value={p.done} aria-label={`${p.phase} ${pct}%`} />
      <button onClick={() => perform('session.cancel')}>Cancel</button>
    </div>
  );
}
