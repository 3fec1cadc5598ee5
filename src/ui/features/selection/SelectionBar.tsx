// What is selected on the shown photo (a mask or its parts): size, score, whole and parts, with
// the buttons that move the selection (↑ whole, ↓ parts, Esc clear).
import { ActionButton } from '../../actions/ActionButton';
import { useSelection } from './selection-state';

export function SelectionBar({ id }: { id: string }) {
  const { photoId, indices, nodes } = useSelection();
  if (photoId !== id || !indices.length || !nodes) return null;
  const first = nodes[indices[0]];
  if (!first) return null;
  const area = indices.reduce((s, i) => s + (nodes[i]?.areaPx ?? 0), 0);
  const what =
    indices.length === 1
      ? `Mask ${indices[0] + 1} of ${nodes.length} · score ${first.score.toFixed(2)}${first.whole >= 0 ? ` · part of mask ${first.whole + 1}` : ''} · ${first.parts.length} part${first.parts.length === 1 ? '' : 's'}`
      : `${indices.length} parts of mask ${first.whole + 1}`;
  return (
    <div className="selection-bar" data-testid="selection-bar" data-indices={indices.join(',')}>
      <span>
        {what} · {area.toLocaleString()} px
      </span>
      <ActionButton name="select.whole" text="Whole ↑" />
      <ActionButton name="select.parts" text="Parts ↓" />
      <ActionButton name="select.clear" text="Clear" />
    </div>
  );
}
