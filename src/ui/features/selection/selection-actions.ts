// Moving a mask selection up to its whole, down to its parts, or clearing it (Esc), as registered
// actions so the selection bar's buttons and the keyboard stay one thing.
import { register } from '../../actions/registry';
import { clearSelection, partsTarget, selectParts, selectWhole, useSelection, wholeTarget } from './selection-state';

export function registerSelectionActions(): void {
  register(
    { name: 'select.whole', label: 'Select its whole', keys: ['ArrowUp'], enabled: () => wholeTarget() >= 0, perform: selectWhole },
    { name: 'select.parts', label: 'Select its parts', keys: ['ArrowDown'], enabled: () => partsTarget().length > 0, perform: selectParts },
    { name: 'select.clear', label: 'Clear the selection', keys: ['Escape'], enabled: () => useSelection.getState().indices.length > 0, perform: clearSelection },
  );
}
