// The user's view of the discovered clusters (method.md §3–§5 produce them; the user names them):
// names, colours, visibility and merges, edited only through invertible operations for undo/redo.

export type ClusterKind = 'thing' | 'stuff';

export interface Cluster {
  /** Stable id as the pipeline numbered it (thing 1..K, stuff K+1..K+S). */
  id: number;
  kind: ClusterKind;
  name: string;
  /** "#rrggbb" */
  colour: string;
  hidden: boolean;
  /** When merged, the id of the cluster that absorbed this one; its pixels show and export as that one. */
  mergedInto: number | null;
  /** 'user': a class the user created (no pipeline pixels); only such clusters can be removed. */
  origin?: 'user';
}

export type ClusterTable = Record<number, Cluster>;

export type ClusterEdit =
  | { type: 'rename'; id: number; name: string }
  | { type: 'recolour'; id: number; colour: string }
  | { type: 'setHidden'; id: number; hidden: boolean }
  | { type: 'merge'; from: number; into: number }
  | { type: 'unmerge'; id: number; into: number | null }
  /** A new class of the user's (few-shot labelling); its inverse is 'remove'. */
  | { type: 'add'; cluster: Cluster }
  | { type: 'remove'; id: number };

/** User-label maps store category ids as Uint16, so ids stay below this. */
export const MAX_CLUSTER_ID = 65535;

/** Follows merges to the cluster a pixel of `id` belongs to now. */
export function resolveCluster(table: ClusterTable, id: number): number {
  let cur = id;
  for (let guard = 0; guard < 1000; guard++) {
    const next = table[cur]?.mergedInto;
    if (next == null) return cur;
    cur = next;
  }
  throw new Error(`cluster merges form a cycle at ${id}`);
}

function need(table: ClusterTable, id: number): Cluster {
  const c = table[id];
  if (!c) throw new Error(`no cluster ${id}`);
  return c;
}

/**
 * Applies edits in order as one undoable step. `inverse` undoes the whole step when given back to
 * this function: the inverses of the edits, last edit's first. Throws (message for the user) on the
 * first edit refused; the table passed in is never mutated.
 */
export function applyClusterEdits(table: ClusterTable, edits: readonly ClusterEdit[]): { table: ClusterTable; inverse: ClusterEdit[] } {
  const inverse: ClusterEdit[] = [];
  for (const e of edits) {
    const r = applyClusterEdit(table, e);
    table = r.table;
    inverse.unshift(r.inverse);
  }
  return { table, inverse };
}

/** Applies an edit and returns the new table and the edit that undoes it. Tables are never mutated. */
export function applyClusterEdit(table: ClusterTable, edit: ClusterEdit): { table: ClusterTable; inverse: ClusterEdit } {
  const with_ = (id: number, patch: Partial<Cluster>): ClusterTable => ({ ...table, [id]: { ...need(table, id), ...patch } });
  switch (edit.type) {
    case 'rename': {
      const name = edit.name.trim();
      if (!name) throw new Error('a cluster name cannot be empty');
      return { table: with_(edit.id, { name }), inverse: { type: 'rename', id: edit.id, name: need(table, edit.id).name } };
    }
    case 'recolour': {
      if (!/^#[0-9a-f]{6}$/i.test(edit.colour)) throw new Error(`"${edit.colour}" is not a #rrggbb colour`);
      return { table: with_(edit.id, { colour: edit.colour }), inverse: { type: 'recolour', id: edit.id, colour: need(table, edit.id).colour } };
    }
    case 'setHidden':
      return { table: with_(edit.id, { hidden: edit.hidden }), inverse: { type: 'setHidden', id: edit.id, hidden: need(table, edit.id).hidden } };
    case 'merge': {
      const into = resolveCluster(table, edit.into);
      const from = need(table, edit.from);
      if (resolveCluster(table, edit.from) === into) throw new Error(`"${from.name}" is already part of "${need(table, into).name}"`);
      if (from.kind !== need(table, into).kind) throw new Error(`cannot merge a ${from.kind} cluster into a ${need(table, into).kind} cluster`);
      return { table: with_(edit.from, { mergedInto: into }), inverse: { type: 'unmerge', id: edit.from, into: from.mergedInto } };
    }
    case 'unmerge':
      // Restores a previous merge target (or none): the inverse of itself and of 'merge'.
      return { table: with_(edit.id, { mergedInto: edit.into }), inverse: { type: 'unmerge', id: edit.id, into: need(table, edit.id).mergedInto } };
    case 'add': {
      const c = edit.cluster;
      if (!Number.isInteger(c.id) || c.id < 1 || c.id > MAX_CLUSTER_ID) throw new Error(`${c.id} is not a usable class id`);
      if (table[c.id]) throw new Error(`there is already a class ${c.id} ("${table[c.id].name}")`);
      const name = c.name.trim();
      if (!name) throw new Error('a class name cannot be empty');
      if (!/^#[0-9a-f]{6}$/i.test(c.colour)) throw new Error(`"${c.colour}" is not a #rrggbb colour`);
      if (c.mergedInto != null && !table[c.mergedInto]) throw new Error(`no cluster ${c.mergedInto} to merge into`);
      // Stored as given (apart from the name) so that remove → add restores it exactly.
      return { table: { ...table, [c.id]: { ...c, name, origin: 'user' } }, inverse: { type: 'remove', id: c.id } };
    }
    case 'remove': {
      const c = need(table, edit.id);
      // Pipeline clusters own pixels of the pseudo labels: removing one would leave them without a class.
      if (c.origin !== 'user') throw new Error(`"${c.name}" was found by the pipeline; only classes you added can be removed`);
      const merged = Object.values(table).find((o) => o.mergedInto === edit.id);
      if (merged) throw new Error(`"${merged.name}" is merged into "${c.name}"; unmerge it first`);
      const rest = { ...table };
      delete rest[edit.id];
      return { table: rest, inverse: { type: 'add', cluster: c } };
    }
  }
}

/** A new class of the user's, numbered above every id in the table, with its own colour. */
export function newUserCluster(table: ClusterTable, kind: ClusterKind, name: string, colour?: string): Cluster {
  const id = Math.max(0, ...Object.keys(table).map(Number)) + 1;
  const used = new Set(Object.values(table).map((c) => c.colour));
  let i = 0;
  while (used.has(colourAt(i))) i++;
  return { id, kind, name: name.trim(), colour: colour ?? colourAt(i), hidden: false, mergedInto: null, origin: 'user' };
}

/** #rrggbb of an HSL colour (hue in degrees; saturation and lightness in [0, 1]). */
function hslHex(h: number, s: number, l: number): string {
  const f = (k: number) => {
    const kk = (k + h / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(kk - 3, 9 - kk, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** The i-th of a deterministic sequence of distinct, readable colours (golden-angle hues). */
function colourAt(i: number): string {
  return hslHex((i * 137.508) % 360, 0.65, i % 2 ? 0.45 : 0.58);
}

/** The first n colours of the sequence. */
export function defaultColours(n: number): string[] {
  return Array.from({ length: n }, (_, i) => colourAt(i));
}

/**
 * The colour of the pipeline's n-th (1-based) cluster of a kind. Each kind walks the golden angle
 * on its own, so its colours stay put when the other kind's count changes (the first photo's
 * regions are fitted without things; a re-cluster with another K). Stuff is less saturated and
 * 7.5° off the things' hues: over tables of 1–30 things and 6–27 stuff clusters no two colours
 * are closer than 23 (RGB distance), where one sequence for both kinds came to 9.
 */
export function pipelineColour(kind: ClusterKind, n: number): string {
  const i = n - 1;
  const stuff = kind === 'stuff';
  return hslHex((i * 137.508 + (stuff ? 7.5 : 0)) % 360, stuff ? 0.45 : 0.65, i % 2 ? 0.45 : 0.58);
}

/** The name the pipeline gives its n-th (1-based) cluster of a kind. */
export function defaultClusterName(kind: ClusterKind, n: number): string {
  return `${kind} ${n}`;
}

/** A pipeline cluster still under the name the pipeline gave it (the user has not named it). */
export function hasDefaultName(c: Cluster): boolean {
  return c.origin !== 'user' && /^(thing|stuff) \d+$/.test(c.name);
}

export function newClusterTable(thingCount: number, stuffCount: number): ClusterTable {
  const table: ClusterTable = {};
  for (let i = 0; i < thingCount + stuffCount; i++) {
    const id = i + 1;
    const kind: ClusterKind = i < thingCount ? 'thing' : 'stuff';
    const n = kind === 'thing' ? id : id - thingCount;
    table[id] = { id, kind, name: defaultClusterName(kind, n), colour: pipelineColour(kind, n), hidden: false, mergedInto: null };
  }
  return table;
}
