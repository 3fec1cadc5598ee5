// The adaptation jobs over a fake session store: a user's few labels on one photo change the
// classes the head predicts on the others, pseudo labels fill in the rest, cancel keeps a head.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { trainHeadAsync } from '../../src/core/adapt/train';
import { encodeMask } from '../../src/core/coco/rle';
import { gaussian, mulberry32 } from '../../src/core/random';
import { applyClusterEdit, newClusterTable, newUserCluster, type ClusterTable } from '../../src/core/session/cluster-table';
import { openSessionDb, putFeatures, type SessionDb } from '../../src/storage/session-db';
import { currentHeadLabels, deleteStoredHead, getStoredHead, putLabels, putPass, putUserLabels } from '../../src/storage/session-records';
import type { AdaptRequest } from '../../workers/adapt-api';
import { readTrainingSet } from '../../workers/adapt-data';
import { applyStoredHead, storedHeadSegments, trainSessionHead } from '../../workers/adapt-jobs';

const GRID = 4, PX = 8, DIM = 8;
const SIZE = { height: PX, width: PX };
const IDS = ['p0', 'p1', 'p2'];
let dbCount = 0;

/** Left-half patches look alike (prototype A), right-half ones too (B), in every photo. */
async function session(): Promise<{ db: SessionDb; table: ClusterTable; dog: number }> {
  const db = await openSessionDb(`adapt-jobs-${dbCount++}`);
  const normal = gaussian(mulberry32(3));
  const protoA = Float32Array.from({ length: DIM }, () => 3 * normal()), protoB = Float32Array.from({ length: DIM }, () => 3 * normal());
  const left = (i: number) => i % PX < PX / 2;
  const leftMask = encodeMask(Uint8Array.from({ length: PX * PX }, (_, i) => (left(i) ? 1 : 0)), PX, PX);
  for (const id of IDS) {
    const tokens = new Float32Array(GRID * GRID * DIM);
    for (let p = 0; p < GRID * GRID; p++) for (let d = 0; d < DIM; d++) tokens[p * DIM + d] = (p % GRID < GRID / 2 ? protoA : protoB)[d] + 0.3 * normal();
    await putFeatures(db, { id, modelId: 'm', gridH: GRID, gridW: GRID, tokenDim: DIM, tokens, cls: new Float32Array(DIM) });
    await putPass(db, id, { labelSizeHW: SIZE, instances: [{ rle: leftMask, bbox: [0, 0, 4, 8], area: 32, score: 1, feature: new Float32Array(DIM) }], timingsMs: { maskcut: 0, refine: 0 } });
    // Pipeline: no thing; stuff cluster 0 (category 2) on the left, 1 (category 3) on the right.
    const semanticRowMajor = Uint16Array.from({ length: PX * PX }, (_, i) => (left(i) ? 0 : 1));
    const idsRowMajor = Uint32Array.from(semanticRowMajor, (s) => s + 1);
    const segments = [0, 1].map((s) => ({ id: s + 1, categoryId: 2 + s, isThing: false, area: 32, bbox: [s * 4, 0, 4, 8] as [number, number, number, number], semanticLabel: s }));
    await putLabels(db, id, { semanticRowMajor, instanceClusters: [], panoptic: { idsRowMajor, segments }, clustersVersion: 1, thingCount: 1 });
  }
  let table = newClusterTable(1, 2);
  const dog = newUserCluster(table, 'thing', 'dog');
  table = applyClusterEdit(table, { type: 'add', cluster: dog }).table;
  // The user paints the left half of p0 as "dog".
  await putUserLabels(db, { id: 'p0', labelSizeHW: [PX, PX], categoryRowMajor: Uint16Array.from({ length: PX * PX }, (_, i) => (left(i) ? dog.id : 0)) });
  return { db, table, dog: dog.id };
}

const request = (table: ClusterTable, patch: Partial<AdaptRequest> = {}): AdaptRequest => ({
  ids: IDS, table, kind: 'linear', hiddenDim: 0, epochs: 30, pseudoLabels: true, userWeight: 5, rounds: 1, backend: 'cpu', seed: 0, ...patch,
});

describe('adaptation jobs (method.md §6)', () => {
  it("learns the user's class from one photo and predicts it on the others, pseudo labels elsewhere", async () => {
    const { db, table, dog } = await session();
    const stored = await trainSessionHead(db, request(table, { rounds: 2 }), () => 'cpu', trainHeadAsync, () => false, () => {});
    expect(stored.categoryIds).toEqual([dog, 2, 3]);
    expect(stored.summary.classes.map((c) => [c.name, c.kind])).toEqual([['dog', 'thing'], ['stuff 1', 'stuff'], ['stuff 2', 'stuff']]);
    expect(stored.summary.labelledImages).toBe(1);
    expect(stored.summary.rounds.length).toBe(2);
    expect(stored.summary.rounds[0].userAgreement).toBe(1);
    const applied = await applyStoredHead(db, IDS, () => {});
    expect(applied.map((a) => a.id)).toEqual(IDS);
    const p2 = await currentHeadLabels(db, 'p2');
    expect(p2).not.toBeNull();
    // p2 has no user labels: its left half is the user's dog now, its right half keeps stuff 2 (category 3).
    expect(p2!.semanticCategoryRowMajor[0]).toBe(dog);
    expect(p2!.semanticCategoryRowMajor[PX - 1]).toBe(3);
    expect(p2!.instances.map((i) => i.categoryId)).toEqual([dog]); // MaskCut's left-half mask, called a dog
    const segs = await storedHeadSegments(db, ['p2']);
    expect(segs[0].segments.filter((s) => s.isThing).map((s) => s.categoryId)).toEqual([dog]);
  });

  it('follows merges and trains on the user labels alone when pseudo labels are off', async () => {
    const { db, table } = await session();
    const merged = applyClusterEdit(table, { type: 'merge', from: 3, into: 2 }).table;
    const withPseudo = await trainSessionHead(db, request(merged), () => 'cpu', trainHeadAsync, () => false, () => {});
    expect(withPseudo.categoryIds.slice(1)).toEqual([2]); // stuff 2 merged into stuff 1
    const alone = await trainSessionHead(db, request(table, { pseudoLabels: false }), () => 'cpu', trainHeadAsync, () => false, () => {});
    expect(alone.summary.classes.map((c) => c.name)).toEqual(['dog']);
    expect(alone.version).toBe(withPseudo.version + 1);
  });

  it('a cancelled training keeps a head marked stopped; labels of an older head are not current', async () => {
    const { db, table } = await session();
    await trainSessionHead(db, request(table), () => 'cpu', trainHeadAsync, () => false, () => {});
    await applyStoredHead(db, IDS, () => {});
    const stopped = await trainSessionHead(db, request(table), () => 'cpu', trainHeadAsync, () => true, () => {});
    expect(stopped.summary.stopped).toBe(true);
    expect(await currentHeadLabels(db, 'p1')).toBeNull(); // made by the previous version
    await deleteStoredHead(db);
    expect(await getStoredHead(db)).toBeUndefined();
    const again = await trainSessionHead(db, request(table), () => 'cpu', trainHeadAsync, () => false, () => {});
    expect(again.version).toBeGreaterThan(stopped.version); // a removed head's labels never pass for a new head's
  });

  it("leaves pseudo-only photos out of training past the token budget, never the user's", async () => {
    const { db, table } = await session();
    const photoBytes = GRID * GRID * DIM * 4;
    const set = await readTrainingSet(db, ['p1', 'p0', 'p2'], table, true, () => {}, photoBytes + 1);
    expect(set.photos.map((p) => p.id)).toEqual(['p1', 'p0']); // p0 carries user labels: kept past the budget
    expect(set.leftOut).toBe(1);
  });

  it('ignores user labels stored at another size, and refuses photos of two models', async () => {
    const { db, table } = await session();
    await putUserLabels(db, { id: 'p1', labelSizeHW: [PX / 2, PX], categoryRowMajor: new Uint16Array((PX / 2) * PX).fill(4) });
    const set = await readTrainingSet(db, IDS, table, true, () => {});
    expect(set.photos.find((p) => p.id === 'p1')?.userPatches).toBe(0);
    await putFeatures(db, { id: 'p2', modelId: 'other', gridH: GRID, gridW: GRID, tokenDim: DIM, tokens: new Float32Array(GRID * GRID * DIM), cls: new Float32Array(DIM) });
    await expect(readTrainingSet(db, IDS, table, true, () => {})).rejects.toThrow(/different models/);
  });

  it('refuses to train when nothing is labelled', async () => {
    const { db, table } = await session();
    const hidden = [1, 2, 3, 4].reduce((t, id) => applyClusterEdit(t, { type: 'setHidden', id, hidden: true }).table, table);
    await expect(trainSessionHead(db, request(hidden), () => 'cpu', trainHeadAsync, () => false, () => {})).rejects.toThrow(/nothing to learn/);
  });
});
