// The view worker's part in selecting masks (Instances and Panoptic views): the pass's instances
// under a pixel, how they nest as wholes and parts, and the selection's outline, read from the store.
import * as Comlink from 'comlink';
import { instancesAt, instanceTree, renderSelection } from '../src/core/render/instance-selection';
import type { SessionDb } from '../src/storage/session-db';
import { getPass } from '../src/storage/session-records';
import type { InstanceSelectionViewApi } from './view-api';

export interface InstanceSelectionDeps {
  db: () => Promise<SessionDb>;
  /** The pass instance the view paints at a pixel (null where none, or where the labels are not the pass's). */
  shownInstance: (id: string, x: number, y: number) => Promise<number | null>;
}

export function instanceSelectionMethods(deps: InstanceSelectionDeps): InstanceSelectionViewApi {
  const pass = async (id: string) => getPass(await deps.db(), id);
  return {
    async instancesAt(id, x, y) {
      const p = await pass(id);
      if (!p) return null;
      return { covering: instancesAt(p.instances, x, y), shown: await deps.shownInstance(id, x, y) };
    },

    async instanceTree(id) {
      const p = await pass(id);
      return p ? instanceTree(p.instances) : null;
    },

    async renderSelection(id, indices) {
      const p = await pass(id);
      if (!p) return null;
      const { width, height } = p.labelSizeHW;
      const rles = indices.filter((i) => i >= 0 && i < p.instances.length).map((i) => p.instances[i].rle);
      const rgba = renderSelection(rles, width, height);
      return Comlink.transfer({ rgba, width, height }, [rgba.buffer]);
    },
  };
}
