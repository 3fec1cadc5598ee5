// A button for a registered action: its label, its shortcut in the tooltip, disabled when the
// action is, so toolbars cannot drift from the keyboard.
import { useLabelling } from '../features/labelling/label-state';
import { useSelection } from '../features/selection/selection-state';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { getAction, perform, type ActionName } from './registry';

export function ActionButton({ name, active, text, testId }: { name: ActionName; active?: boolean; text?: string; testId?: string }) {
  const a = getAction(name);
  // `enabled` reads these stores: re-render when what it reads changes (undo stacks, clusters,
  // progress, ground truth, photos and classes, Label mode and its stroke history, the mask selection).
  useSeg((s) => `${s.undoStack.length}/${s.redoStack.length}/${s.clusters?.version}/${s.progress.phase}/${s.groundTruth != null}/${Object.keys(s.segmentsById).length}/${Object.keys(s.table).length}`);
  useApp((s) => s.selectedId);
  useLabelling((s) => `${s.active}/${s.history.undo}/${s.history.redo}`);
  useSelection((s) => `${s.photoId}/${s.indices.join(',')}/${s.nodes?.length}`);
  const shortcut = a.keys?.[0]?.replace('mod+', 'Ctrl+');
  return (
    <button
      className={active ? 'active' : ''}
      disabled={a.enabled?.() === false}
      title={shortcut ? `${a.label} (${shortcut})` : a.label}
      data-testid={testId ?? `action-${name}`}
      onClick={() => perform(name)}
    >
      {text ?? a.label}
    </button>
  );
}
