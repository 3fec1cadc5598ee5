// The app's actions: views, navigation, cluster edits with undo/redo, export, cancel. Toolbar
// buttons, the legend, the help sheet and the keyboard all perform these by name.
import type { ClusterEdit } from '../../core/session/cluster-table';
import type { ViewMode } from '../../core/render/overlay';
import { cancelProcessing, recluster } from '../processing/pipeline';
import { chooseProposals, proposalsChangeable } from '../processing/proposal-choice';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { registerAdaptActions } from './adapt-actions';
import { registerSelectionActions } from '../features/selection/selection-actions';
import { registerSemanticActions } from './semantic-actions';
import { register, type Action } from './registry';

function step(delta: number): void {
  const { images, selectedId, select } = useApp.getState();
  if (!images.length) return;
  const i = images.findIndex((im) => im.id === selectedId);
  select(images[(i + delta + images.length) % images.length].id);
}

const view = (mode: ViewMode, key: string, label: string): Action => ({
  name: `view.${mode}`,
  label,
  keys: [key],
  perform: () => useSeg.getState().setView({ mode }),
});

/** One undoable step; a refused edit becomes a message, never an exception in the UI. */
export function editClusters(edits: ClusterEdit[]): boolean {
  try {
    useSeg.getState().edit(edits);
    return true;
  } catch (err) {
    useApp.getState().notify('error', (err as Error).message);
    return false;
  }
}

export function registerAppActions(): void {
  const seg = () => useSeg.getState();
  register(
    view('semantic', '1', 'Semantic'),
    view('instance', '2', 'Instances'),
    view('panoptic', '3', 'Panoptic'),
    { name: 'view.outlines', label: 'Outlines', keys: ['o'], perform: () => seg().setView({ outlines: !seg().view.outlines }) },
    {
      name: 'view.colourBy',
      label: 'Colour by cluster / instance',
      keys: ['c'],
      perform: () => seg().setView({ colourBy: seg().view.colourBy === 'cluster' ? 'instance' : 'cluster' }),
    },
    { name: 'view.opacityUp', label: 'More opaque', keys: [']'], perform: () => seg().setView({ opacity: Math.min(1, seg().view.opacity + 0.1) }) },
    { name: 'view.opacityDown', label: 'More transparent', keys: ['['], perform: () => seg().setView({ opacity: Math.max(0, seg().view.opacity - 0.1) }) },
    { name: 'view.features', label: 'Show backbone features', keys: ['f'], perform: () => seg().setView({ showFeatures: !seg().view.showFeatures }) },
    {
      name: 'view.groundTruth',
      label: 'Show ground truth',
      keys: ['g'],
      enabled: () => seg().groundTruth != null,
      perform: () => seg().setView({ showGroundTruth: !seg().view.showGroundTruth }),
    },
    { name: 'nav.next', label: 'Next photo', keys: ['ArrowRight', 'j'], perform: () => step(1) },
    { name: 'nav.prev', label: 'Previous photo', keys: ['ArrowLeft', 'k'], perform: () => step(-1) },
    { name: 'edit.undo', label: 'Undo', keys: ['mod+z'], enabled: () => seg().undoStack.length > 0, perform: () => seg().undo() },
    { name: 'edit.redo', label: 'Redo', keys: ['shift+mod+z', 'mod+y'], enabled: () => seg().redoStack.length > 0, perform: () => seg().redo() },
    {
      name: 'clusters.rename',
      label: 'Rename cluster',
      perform: (p) => editClusters([{ type: 'rename', ...(p as { id: number; name: string }) }]),
    },
    {
      name: 'clusters.recolour',
      label: 'Recolour cluster',
      perform: (p) => editClusters([{ type: 'recolour', ...(p as { id: number; colour: string }) }]),
    },
    {
      name: 'clusters.toggleHidden',
      label: 'Hide or show cluster',
      keys: ['h'],
      enabled: () => seg().selectedCategory != null,
      perform: (p) => {
        const id = (p as { id?: number } | undefined)?.id ?? seg().selectedCategory;
        if (id == null || !seg().table[id]) return;
        editClusters([{ type: 'setHidden', id, hidden: !seg().table[id].hidden }]);
      },
    },
    { name: 'clusters.merge', label: 'Merge clusters', perform: (p) => editClusters([{ type: 'merge', ...(p as { from: number; into: number }) }]) },
    {
      name: 'session.recluster',
      label: 'Re-cluster with K',
      enabled: () => seg().progress.phase === 'idle' && seg().clusters != null,
      perform: (p) => {
        const k = (p as { thingK?: number | null } | undefined)?.thingK;
        if (seg().undoStack.length && !window.confirm('Re-clustering replaces the current clusters with their names and merges. Your own classes and labels are kept; an adapted head that learnt these clusters is removed. Continue?')) return;
        void recluster(k === undefined ? seg().thingK : k);
      },
    },
    { name: 'session.cancel', label: 'Cancel processing', keys: ['Escape'], enabled: () => seg().progress.phase !== 'idle', perform: () => cancelProcessing() },
    { name: 'session.export', label: 'Export…', keys: ['mod+e'], enabled: () => seg().clusters != null, perform: () => seg().setDialog('export') },
    {
      name: 'session.proposals',
      label: 'More objects: multi-view proposals (several times slower; makes every photo again)',
      keys: ['m'],
      enabled: proposalsChangeable,
      perform: () => void chooseProposals(useApp.getState().proposals === 'multi' ? 'reference' : 'multi'),
    },
    { name: 'help.shortcuts', label: 'Keyboard shortcuts', keys: ['?'], perform: () => seg().setDialog(seg().dialog === 'help' ? null : 'help') },
  );
  registerAdaptActions();
  registerSemanticActions();
  // Last: Escape stops running work before it clears a selection.
  registerSelectionActions();
}
