// Which masks of the shown photo are selected (Instances and Panoptic views) and how the photo's
// masks nest; small facts only: the masks stay in the view worker, which draws the selection.
import { create } from 'zustand';
import { nextPick, wholeOfSelection, type InstanceNode } from '../../../core/render/instance-selection';
import { viewWorker } from '../../processing/view-client';

interface SelectionState {
  photoId: string | null;
  /** Pass instance indices: one mask, or the parts of one. */
  indices: number[];
  /** The photo's masks with their wholes and parts (fetched with the first selection). */
  nodes: InstanceNode[] | null;
  set(patch: Partial<Omit<SelectionState, 'set'>>): void;
}

export const useSelection = create<SelectionState>()((set) => ({
  photoId: null,
  indices: [],
  nodes: null,
  set: (patch) => set(patch),
}));

export function clearSelection(): void {
  const s = useSelection.getState();
  if (s.photoId !== null || s.indices.length) s.set({ photoId: null, indices: [], nodes: null });
}

/**
 * A click at a label-resolution pixel: selects the mask the view shows there, and on further
 * clicks the next larger mask under the pointer (its whole); nothing under it clears the selection.
 */
export async function clickInstance(photoId: string, x: number, y: number): Promise<void> {
  const found = await viewWorker().instancesAt(photoId, x, y);
  if (!found?.covering.length) return clearSelection();
  const s = useSelection.getState();
  const same = s.photoId === photoId;
  const current = same && s.indices.length === 1 ? s.indices[0] : null;
  const pick = nextPick(found.covering, found.shown, current);
  if (pick === null) return clearSelection();
  const nodes = same && s.nodes ? s.nodes : await viewWorker().instanceTree(photoId);
  useSelection.getState().set({ photoId, indices: [pick], nodes });
}

export function wholeTarget(): number {
  const { nodes, indices } = useSelection.getState();
  return nodes ? wholeOfSelection(nodes, indices) : -1;
}

export function partsTarget(): number[] {
  const { nodes, indices } = useSelection.getState();
  return nodes && indices.length === 1 ? nodes[indices[0]]?.parts ?? [] : [];
}

export function selectWhole(): void {
  const whole = wholeTarget();
  if (whole >= 0) useSelection.getState().set({ indices: [whole] });
}

export function selectParts(): void {
  const parts = partsTarget();
  if (parts.length) useSelection.getState().set({ indices: parts });
}
