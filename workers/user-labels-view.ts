// The view worker's part in the user's own labels: the segment under a pixel (fill), the label
// resolution of a photo, and imported ground truth rasterised as user labels (written to the store).
import * as Comlink from 'comlink';
import type { ParsedInstancesDataset } from '../src/core/coco/instances-reader';
import { groundTruthNames, groundTruthUserLabels } from '../src/core/labelling/ground-truth-labels';
import type { LabelGrid } from '../src/core/render/overlay';
import { segmentMaskAt } from '../src/core/render/segment-mask';
import type { UserLabels } from '../src/storage/records';
import type { SessionDb } from '../src/storage/session-db';
import { getPass, getUserLabels, idsWithUserLabels, putUserLabels } from '../src/storage/session-records';
import type { UserLabelsViewApi } from './view-api';

export interface UserLabelsViewDeps {
  db: () => Promise<SessionDb>;
  /** The labels the views show now (clusters or an adapted head), as the overlay paints them. */
  labelGrid: (id: string) => Promise<LabelGrid | null>;
  groundTruth: () => Promise<ParsedInstancesDataset | null>;
}

export function userLabelsViewMethods(deps: UserLabelsViewDeps): UserLabelsViewApi {
  const labelSize = async (id: string) => (await getPass(await deps.db(), id))?.labelSizeHW ?? null;
  return {
    async labelSizeHW(id) {
      const size = await labelSize(id);
      return size ? [size.height, size.width] : null;
    },

    async segmentMask(id, mode, x, y) {
      const grid = await deps.labelGrid(id);
      const found = grid ? segmentMaskAt(grid, mode, x, y) : null;
      return found ? Comlink.transfer({ ...found, width: grid?.width ?? 0, height: grid?.height ?? 0 }, [found.maskRowMajor.buffer]) : null;
    },

    async groundTruthNames(fileNames) {
      const gt = await deps.groundTruth();
      return gt ? groundTruthNames(gt, fileNames) : [];
    },

    async groundTruthAsUserLabels(photos, idByName, backgroundId) {
      const gt = await deps.groundTruth();
      if (!gt) throw new Error('no ground truth has been imported');
      const store = await deps.db();
      const written = [];
      for (const { id, fileName } of photos) {
        const size = await labelSize(id);
        const labels = size ? groundTruthUserLabels(gt, fileName, size, idByName, backgroundId) : null;
        if (!size || !labels) continue;
        const record = await putUserLabels(store, { id, labelSizeHW: [size.height, size.width], categoryRowMajor: labels });
        written.push({ id, labelledPixels: record.labelledPixels });
      }
      return written;
    },

    async userLabelCategories() {
      const used = new Set<number>();
      for (const record of await allUserLabels(await deps.db())) for (const c of new Set(record.categoryRowMajor)) if (c) used.add(c);
      return [...used].sort((a, b) => a - b);
    },

    async remapUserLabels(mapping) {
      const store = await deps.db();
      const changed: string[] = [];
      for (const record of await allUserLabels(store)) {
        const categoryRowMajor = record.categoryRowMajor.map((c) => (c ? (mapping[c] ?? 0) : 0));
        if (categoryRowMajor.every((c, i) => c === record.categoryRowMajor[i])) continue;
        await putUserLabels(store, { id: record.id, labelSizeHW: record.labelSizeHW, categoryRowMajor });
        changed.push(record.id);
      }
      return changed;
    },
  };
}

/** Every stored user-label record (one per photo that was ever labelled). */
async function allUserLabels(db: SessionDb): Promise<UserLabels[]> {
  const out: UserLabels[] = [];
  for (const id of await idsWithUserLabels(db)) {
    const record = await getUserLabels(db, id);
    if (record) out.push(record);
  }
  return out;
}
