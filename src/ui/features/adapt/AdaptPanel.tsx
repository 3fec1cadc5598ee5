// The head's status beside the legend: which labels show, the running training, the way in.
import { perform } from '../../actions/registry';
import { useAdapt } from '../../state/adapt-store';
import { useSeg } from '../../state/segmentation-store';

export function AdaptPanel() {
  const { summary, running, progress, source } = useAdapt();
  const ready = useSeg((s) => s.clusters != null);
  if (!ready) return null;
  const status = running
    ? `training… ${progress && progress.total ? Math.round((100 * progress.done) / progress.total) : 0} %`
    : summary
      ? `head: ${summary.classes.length} classes, ${source === 'head' ? 'shown' : 'hidden'}`
      : 'no head yet';
  return (
    <div className="adapt-panel" data-testid="adapt-panel">
      <span data-testid="adapt-status">{status}</span>
      <button onClick={() => perform('adapt.open')} title="a">
        Adapt…
      </button>
      {summary && !running && (
        <button onClick={() => perform('adapt.toggleSource')} title="t">
          {source === 'head' ? 'Show clusters' : 'Show head'}
        </button>
      )}
    </div>
  );
}
