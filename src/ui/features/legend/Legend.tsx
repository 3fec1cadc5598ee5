// The discovered clusters with their counts: rename (the name becomes the COCO category), recolour,
// hide, merge; re-cluster with another K. Every change is a registered, undoable action.
import { useState } from 'react';
import { resolveCluster, type Cluster } from '../../../core/session/cluster-table';
import { perform } from '../../actions/registry';
import { useAdapt } from '../../state/adapt-store';
import { useSeg } from '../../state/segmentation-store';

/** Instances per thing cluster, photos per stuff cluster, after merges. */
function useCounts(): Map<number, number> {
  const clusterSegments = useSeg((s) => s.segmentsById);
  const headSegments = useAdapt((s) => (s.source === 'head' && s.summary ? s.headSegmentsById : null));
  const segmentsById = headSegments ? { ...clusterSegments, ...headSegments } : clusterSegments;
  const table = useSeg((s) => s.table);
  const counts = new Map<number, number>();
  for (const segments of Object.values(segmentsById)) {
    const stuffSeen = new Set<number>();
    for (const s of segments) {
      const c = resolveCluster(table, s.categoryId);
      if (s.isThing) counts.set(c, (counts.get(c) ?? 0) + 1);
      else if (!stuffSeen.has(c)) {
        stuffSeen.add(c);
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
  }
  return counts;
}

function Row({ c, count, others }: { c: Cluster; count: number; others: Cluster[] }) {
  const [name, setName] = useState(c.name);
  const selected = useSeg((s) => s.selectedCategory === c.id);
  const commit = () => name.trim() !== c.name && perform('clusters.rename', { id: c.id, name });
  return (
    <li
      className={`legend-row${selected ? ' selected' : ''}${c.hidden ? ' hidden' : ''}${c.origin === 'user' ? ' user-class' : ''}`}
      data-testid={`cluster-${c.id}`}
      title={c.origin === 'user' ? 'a class you added' : undefined}
    >
      <input type="color" value={c.colour} aria-label={`colour of ${c.name}`} onChange={(e) => perform('clusters.recolour', { id: c.id, colour: e.target.value })} />
      <input
        className="cluster-name"
        value={name}
        aria-label={`name of cluster ${c.id}`}
        onChange={(e) => setName(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === 'Enter' && (e.currentTarget as HTMLInputElement).blur()}
      />
      <span className="count" title={c.kind === 'thing' ? 'instances' : 'photos'}>
        {count}
      </span>
      <input type="checkbox" checked={!c.hidden} title="show" aria-label={`show ${c.name}`} onChange={() => perform('clusters.toggleHidden', { id: c.id })} />
      <select
        value=""
        aria-label={`merge ${c.name} into`}
        title="merge into…"
        onChange={(e) => e.target.value && perform('clusters.merge', { from: c.id, into: Number(e.target.value) })}
      >
        <option value="">→</option>
        {others.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </li>
  );
}

export function Legend() {
  const table = useSeg((s) => s.table);
  const clusters = useSeg((s) => s.clusters);
  const [k, setK] = useState('');
  const counts = useCounts();
  if (!clusters) return null;
  const visible = Object.values(table).filter((c) => c.mergedInto == null);
  const section = (kind: Cluster['kind']) =>
    visible
      .filter((c) => c.kind === kind)
      .sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0))
      .map((c) => (
        <Row key={`${c.id}-${c.name}`} c={c} count={counts.get(c.id) ?? 0} others={visible.filter((o) => o.kind === kind && o.id !== c.id)} />
      ));
  return (
    <div className="legend" data-testid="legend">
      <h2>Things</h2>
      <ul>{section('thing')}</ul>
      <h2>Stuff</h2>
      <ul>{section('stuff')}</ul>
      <form
        className="recluster"
        onSubmit={(e) => {
          e.preventDefault();
          perform('session.recluster', { thingK: k ? Number(k) : null });
        }}
      >
        <label>
          Thing clusters K <input type="number" min={1} max={200} placeholder="auto" value={k} onChange={(e) => setK(e.target.value)} />
        </label>
        <button type="submit">Re-cluster</button>
      </form>
    </div>
  );
}
