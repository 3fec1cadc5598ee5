// The labelling actions (mode, tools, radius, classes, show/hide, ground truth as labels), and the
// app's undo/redo extended so that in Label mode they step through the shown photo's strokes first.
import { newUserCluster, resolveCluster, type ClusterKind } from '../../../core/session/cluster-table';
import { editClusters } from '../../actions/app-actions';
import { extend, register, type Action } from '../../actions/registry';
import { useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { applyGroundTruthAsLabels } from './ground-truth-labels';
import { clearShown, redoStroke, shownMap, undoStroke } from './label-session';
import { stepRadius, useLabelling, type LabelTool } from './label-state';

const lab = () => useLabelling.getState();
const seg = () => useSeg.getState();

/** A photo is open whose labels exist (its label resolution is known and classes can be picked). */
export function canLabel(): boolean {
  const id = useApp.getState().selectedId;
  return id != null && seg().clusters != null && Boolean(seg().segmentsById[id]);
}

/** The classes a user can paint: every cluster not merged into another, things first. */
export function paintableClasses(): { id: number; name: string; kind: ClusterKind; colour: string }[] {
  return Object.values(seg().table)
    .filter((c) => c.mergedInto == null)
    .sort((a, b) => Number(a.kind === 'stuff') - Number(b.kind === 'stuff') || a.id - b.id);
}

function tool(t: LabelTool, key: string, label: string): Action {
  return { name: `labels.${t}`, label, keys: [key], enabled: canLabel, perform: () => lab().set({ tool: t, active: true }) };
}

function cycleClass(direction: 1 | -1): void {
  const list = paintableClasses();
  if (!list.length) return;
  const current = lab().classId == null ? -1 : list.findIndex((c) => c.id === resolveCluster(seg().table, lab().classId as number));
  const next = current < 0 ? (direction > 0 ? 0 : list.length - 1) : (current + direction + list.length) % list.length;
  lab().set({ classId: list[next].id });
}

const strokesApply = (which: 'undo' | 'redo') => lab().active && shownMap() != null && lab().history[which] > 0;

/** Registers the labelling actions; runs after registerAppActions (it extends edit.undo/redo). */
export function registerLabellingActions(): void {
  for (const which of ['undo', 'redo'] as const) {
    extend(`edit.${which}`, (base) => ({
      ...base,
      enabled: () => strokesApply(which) || base.enabled?.() !== false,
      perform: (p) => (strokesApply(which) ? void (which === 'undo' ? undoStroke() : redoStroke()) : base.perform(p)),
    }));
  }
  register(
    { name: 'labels.mode', label: 'Label mode (paint your own labels)', keys: ['l'], enabled: () => canLabel() || lab().active, perform: () => lab().set({ active: !lab().active }) },
    { name: 'labels.leave', label: 'Leave Label mode', keys: ['Escape'], enabled: () => lab().active, perform: () => lab().set({ active: false }) },
    tool('brush', 'b', 'Brush'),
    tool('eraser', 'e', 'Eraser'),
    tool('fill', 'x', 'Fill segment'),
    { name: 'labels.smaller', label: 'Smaller brush', keys: ['-'], perform: () => lab().set({ radiusPx: stepRadius(lab().radiusPx, -1) }) },
    { name: 'labels.bigger', label: 'Bigger brush', keys: ['=', '+'], perform: () => lab().set({ radiusPx: stepRadius(lab().radiusPx, 1) }) },
    { name: 'labels.nextClass', label: 'Next class to paint', keys: ['.'], enabled: canLabel, perform: () => cycleClass(1) },
    { name: 'labels.prevClass', label: 'Previous class to paint', keys: [','], enabled: canLabel, perform: () => cycleClass(-1) },
    { name: 'labels.toggleShow', label: 'Show or hide your labels', keys: ['v'], perform: () => lab().set({ showLabels: !lab().showLabels }) },
    {
      name: 'labels.addClass',
      label: 'New class',
      enabled: () => seg().clusters != null,
      perform: (p) => {
        const { name, kind } = p as { name: string; kind: ClusterKind };
        const cluster = newUserCluster(seg().table, kind, name);
        const clash = Object.values(seg().table).find((c) => c.name.trim().toLowerCase() === cluster.name.toLowerCase());
        if (clash) {
          useApp.getState().notify('error', `There is already a class named "${clash.name}".`);
          return;
        }
        if (editClusters([{ type: 'add', cluster }])) lab().set({ classId: cluster.id, tool: lab().tool === 'eraser' ? 'brush' : lab().tool });
      },
    },
    {
      name: 'labels.removeClass',
      label: 'Delete a class you added',
      perform: (p) => {
        const id = (p as { id?: number } | undefined)?.id ?? lab().classId;
        if (id == null) return;
        if (editClusters([{ type: 'remove', id }]) && lab().classId === id) lab().set({ classId: null });
      },
    },
    {
      name: 'labels.clear',
      label: 'Erase all your labels on this photo',
      enabled: () => lab().active && shownMap() != null,
      perform: clearShown,
    },
    {
      name: 'labels.groundTruth',
      label: 'Use ground truth as my labels (this photo)',
      keys: ['u'],
      enabled: () => seg().groundTruth != null && canLabel(),
      perform: () => void applyGroundTruthAsLabels('photo'),
    },
    {
      name: 'labels.groundTruthAll',
      label: 'Use ground truth as my labels (all photos)',
      enabled: () => seg().groundTruth != null && seg().clusters != null,
      perform: () => void applyGroundTruthAsLabels('all'),
    },
  );
}
