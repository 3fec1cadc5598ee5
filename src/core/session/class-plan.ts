// Matching named classes from outside the session (a loaded head's classes) to the cluster table
// by name, creating what is missing: the user's names are the link between sessions (method.md §6).
import { newUserCluster, resolveCluster, type ClusterEdit, type ClusterKind, type ClusterTable } from './cluster-table';

export interface NamedClass {
  name: string;
  kind: ClusterKind;
}

export interface ClassPlan {
  /** 'add' edits for the classes to create, in order (one undoable step). */
  edits: ClusterEdit[];
  /** Category id of each wanted class, in order. */
  categoryIds: number[];
}

/**
 * Each wanted class takes the cluster of the same name (case-insensitive) and kind — an unmerged
 * one before a merged one, which stands for the cluster it was merged into — or a new user class.
 */
export function planNamedClasses(table: ClusterTable, wanted: readonly NamedClass[]): ClassPlan {
  const key = (name: string, kind: ClusterKind) => `${kind}:${name.trim().toLowerCase()}`;
  const byKey = new Map<string, number>();
  const clusters = Object.values(table).sort((a, b) => Number(a.mergedInto == null) - Number(b.mergedInto == null) || b.id - a.id);
  for (const c of clusters) byKey.set(key(c.name, c.kind), resolveCluster(table, c.id));
  let working = table;
  const edits: ClusterEdit[] = [];
  const categoryIds = wanted.map(({ name, kind }) => {
    const found = byKey.get(key(name, kind));
    if (found !== undefined) return found;
    const cluster = newUserCluster(working, kind, name.trim() || 'unnamed');
    working = { ...working, [cluster.id]: cluster };
    edits.push({ type: 'add', cluster });
    byKey.set(key(name, kind), cluster.id);
    return cluster.id;
  });
  return { edits, categoryIds };
}

export interface CarriedClasses {
  /** The new table with the kept classes added as the user's own. */
  table: ClusterTable;
  /** Old category id → new one, for every id of the old table (merged ones follow their target; 0 = not kept). */
  mapping: Record<number, number>;
}

/**
 * Re-clustering renumbers the pipeline's clusters, so the classes the user's labels and head use
 * (`keep`, old ids) move into the new table as user classes with their name, kind and colour; a
 * name the new clusters already use gets " (kept)", so the two never merge by name later.
 */
export function carryClasses(before: ClusterTable, after: ClusterTable, keep: Iterable<number>): CarriedClasses {
  const taken = new Set(Object.values(after).map((c) => c.name.trim().toLowerCase()));
  let table = after;
  const newIdOf = new Map<number, number>();
  for (const id of new Set([...keep].filter((k) => before[k]).map((k) => resolveCluster(before, k)))) {
    const old = before[id];
    const name = taken.has(old.name.trim().toLowerCase()) ? `${old.name} (kept)` : old.name;
    const cluster = { ...newUserCluster(table, old.kind, name, old.colour), hidden: old.hidden };
    table = { ...table, [cluster.id]: cluster };
    taken.add(name.toLowerCase());
    newIdOf.set(id, cluster.id);
  }
  const mapping: Record<number, number> = {};
  for (const key of Object.keys(before)) mapping[Number(key)] = newIdOf.get(resolveCluster(before, Number(key))) ?? 0;
  return { table, mapping };
}
