// View controls as buttons over the registered actions (the same ones the keyboard triggers).
import { ActionButton } from '../../actions/ActionButton';
import { perform } from '../../actions/registry';
import { useSeg } from '../../state/segmentation-store';

export function Toolbar() {
  const v = useSeg((s) => s.view);
  const setView = useSeg((s) => s.setView);
  const hasGt = useSeg((s) => s.groundTruth != null);
  return (
    <div className="toolbar" role="toolbar">
      <div className="group" role="group" aria-label="view">
        <ActionButton name="view.semantic" active={v.mode === 'semantic'} />
        <ActionButton name="view.instance" active={v.mode === 'instance'} />
        <ActionButton name="view.panoptic" active={v.mode === 'panoptic'} />
      </div>
      <label className="opacity">
        Opacity
        <input type="range" min={0} max={1} step={0.05} value={v.opacity} data-testid="opacity" onChange={(e) => setView({ opacity: Number(e.target.value) })} />
      </label>
      <label>
        <input type="checkbox" checked={v.outlines} onChange={() => perform('view.outlines')} /> Outlines
      </label>
      <label>
        <input type="checkbox" checked={v.colourBy === 'instance'} onChange={() => perform('view.colourBy')} /> Colour instances
      </label>
      <label>
        <input type="checkbox" checked={v.showFeatures} onChange={() => perform('view.features')} /> Features
      </label>
      {hasGt && (
        <label>
          <input type="checkbox" checked={v.showGroundTruth} data-testid="toggle-ground-truth" onChange={() => perform('view.groundTruth')} /> Ground truth
        </label>
      )}
      <div className="group">
        <ActionButton name="edit.undo" />
        <ActionButton name="edit.redo" />
        <ActionButton name="session.export" />
        <ActionButton name="help.shortcuts" />
      </div>
    </div>
  );
}
