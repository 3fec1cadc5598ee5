// Few-shot and self-training targets of a browser session (method.md §6) in the cluster table's
// category space: pseudo labels and the user's painted labels, merges followed, hidden ones void.
//
// The head's classes are the table categories that occur in some target (after merges), things
// first then stuff, each by id: a category nobody labelled and no pseudo label uses would only be a
// class the head can never learn. Class indices fit a Uint8Array beside IGNORE_TARGET.
import type { ImageLabels } from '../pipeline/image-labels';
import { resolveCluster, type ClusterKind, type ClusterTable } from '../session/cluster-table';
import { MAX_HEAD_CLASSES, type HeadClasses } from './head';
import { IGNORE_TARGET } from './train';

/** Category id per pixel of the pipeline's labels: the thing segment's cluster, else the stuff cluster; 0 = void. */
export function pseudoCategoryMap(labels: Pick<ImageLabels, 'semanticRowMajor' | 'panoptic'>, thingCount: number): Uint16Array {
  const ids = labels.panoptic.idsRowMajor, sem = labels.semanticRowMajor;
  const thingCategory = new Map<number, number>();
  for (const s of labels.panoptic.segments) if (s.isThing) thingCategory.set(s.id, s.categoryId);
  const out = new Uint16Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = (ids[i] && thingCategory.get(ids[i])) || thingCount + sem[i] + 1;
  return out;
}

/** Follows the table's merges; hidden and unknown categories become void (0). */
export function resolveCategoryMap(categoryRowMajor: Uint16Array, table: ClusterTable): Uint16Array {
  const memo = new Map<number, number>();
  const resolve = (c: number): number => {
    let r = memo.get(c);
    if (r === undefined) {
      const target = table[c] ? resolveCluster(table, c) : 0;
      r = target && !table[c].hidden && !table[target].hidden ? target : 0;
      memo.set(c, r);
    }
    return r;
  };
  return categoryRowMajor.map((c) => (c ? resolve(c) : 0));
}

export interface SessionClasses {
  classes: HeadClasses;
  /** Table category of each head class. */
  categoryIds: number[];
  kinds: ClusterKind[];
}

/** Head classes from the categories present in (resolved) category maps. */
export function sessionClasses(maps: readonly Uint16Array[], table: ClusterTable): SessionClasses {
  const present = new Set<number>();
  for (const m of maps) for (let i = 0; i < m.length; i++) if (m[i]) present.add(m[i]);
  const ids = [...present].filter((id) => table[id]).sort((a, b) => a - b);
  const things = ids.filter((id) => table[id].kind === 'thing'), stuff = ids.filter((id) => table[id].kind === 'stuff');
  const categoryIds = [...things, ...stuff];
  if (!categoryIds.length) throw new Error('nothing to learn from: no photo has labels in a visible class');
  if (categoryIds.length > MAX_HEAD_CLASSES) throw new Error(`${categoryIds.length} classes are more than a head can hold (${MAX_HEAD_CLASSES}); merge some`);
  return {
    classes: { names: categoryIds.map((id) => table[id].name), thingCount: things.length },
    categoryIds,
    kinds: categoryIds.map((id) => table[id].kind),
  };
}

/** Head class per pixel (IGNORE_TARGET where void or not a class). */
export function classMapOf(categoryRowMajor: Uint16Array, categoryIds: readonly number[]): Uint8Array {
  const classOf = new Map(categoryIds.map((id, c) => [id, c]));
  return Uint8Array.from(categoryRowMajor, (id) => classOf.get(id) ?? IGNORE_TARGET);
}

/** The pseudo map with the user's labelled pixels laid over it (user pixels win). */
export function overlayUserLabels(pseudo: Uint16Array | null, user: Uint16Array | null, length: number): Uint16Array {
  const out = pseudo ? Uint16Array.from(pseudo) : new Uint16Array(length);
  if (user) for (let i = 0; i < length; i++) if (user[i]) out[i] = user[i];
  return out;
}
