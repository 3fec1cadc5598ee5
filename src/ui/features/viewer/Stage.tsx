// The photo with its overlay, zoomable (wheel) and pannable (drag), with a hover label naming the
// segment under the pointer (cluster name, area, score); a click selects its cluster and, on a
// thing, its mask (again: the next larger mask under the pointer, its whole).
import { useEffect, useRef, useState, type MouseEvent, type WheelEvent } from 'react';
import { resolveCluster } from '../../../core/session/cluster-table';
import type { PixelInfo } from '../../../core/render/overlay';
import { viewWorker } from '../../processing/view-client';
import { pixelStore } from '../../state/pixel-store';
import { useSeg } from '../../state/segmentation-store';
import { LabelLayer } from '../labelling/LabelLayer';
import { useLabelling } from '../labelling/label-state';
import { clearSelection, clickInstance } from '../selection/selection-state';
import { SelectionLayer } from '../selection/SelectionLayer';
import { OverlayCanvas } from './OverlayCanvas';

interface Hover {
  x: number;
  y: number;
  info: PixelInfo;
}

export function Stage({ id, name }: { id: string; name: string }) {
  const [zoom, setZoom] = useState({ scale: 1, tx: 0, ty: 0, forId: id });
  const [hover, setHover] = useState<Hover | null>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const pending = useRef(false);
  const table = useSeg((s) => s.table);
  const mode = useSeg((s) => s.view.mode);
  const labelled = useSeg((s) => Boolean(s.segmentsById[id]));
  const showGt = useSeg((s) => s.view.showGroundTruth && s.groundTruth != null);
  const labelMode = useLabelling((s) => s.active);
  const view = zoom.forId === id ? zoom : { scale: 1, tx: 0, ty: 0, forId: id };
  // A selection names masks of one photo's pass: another photo, view or set of labels ends it.
  const segments = useSeg((s) => s.segmentsById[id]);
  useEffect(() => clearSelection(), [id, mode, segments]);

  const onWheel = (e: WheelEvent) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left, py = e.clientY - rect.top;
    const scale = Math.min(16, Math.max(1, view.scale * Math.exp(-e.deltaY / 400)));
    const k = scale / view.scale;
    // Zoom about the pointer: the point under it stays put.
    setZoom({ scale, tx: scale === 1 ? 0 : px - k * (px - view.tx), ty: scale === 1 ? 0 : py - k * (py - view.ty), forId: id });
  };

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    if (drag.current) {
      setZoom({ ...view, tx: view.tx + e.clientX - drag.current.x, ty: view.ty + e.clientY - drag.current.y });
      drag.current = { x: e.clientX, y: e.clientY };
      return;
    }
    const point = labelPoint(e);
    if (!point || pending.current) return;
    const { x, y } = point;
    const at = { x: e.clientX - e.currentTarget.getBoundingClientRect().left, y: e.clientY - e.currentTarget.getBoundingClientRect().top };
    pending.current = true;
    void viewWorker()
      .pixelInfo(id, mode, x, y)
      .then((info) => setHover(info ? { ...at, info } : null))
      .finally(() => (pending.current = false));
  };

  /** The pointer in label-resolution pixels of the overlay; null where there are no labels to point at. */
  const labelPoint = (e: MouseEvent<HTMLDivElement>) => {
    const canvas = e.currentTarget.querySelector('canvas.overlay') as HTMLCanvasElement | null;
    if (!canvas || !labelled || showGt || !canvas.width) return null;
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * canvas.width, y: ((e.clientY - r.top) / r.height) * canvas.height };
  };

  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if (labelMode) return;
    if (hover) useSeg.getState().selectCategory(resolveCluster(table, hover.info.categoryId));
    const point = labelPoint(e);
    if (mode === 'semantic' || !point || !hover?.info.isThing) return clearSelection();
    void clickInstance(id, point.x, point.y);
  };

  const hoverName = hover ? table[resolveCluster(table, hover.info.categoryId)]?.name ?? `cluster ${hover.info.categoryId}` : '';
  return (
    <div
      className="stage"
      data-testid="stage"
      onWheel={onWheel}
      onMouseDown={(e) => (drag.current = view.scale > 1 ? { x: e.clientX, y: e.clientY } : null)}
      onMouseUp={() => (drag.current = null)}
      onMouseLeave={() => {
        drag.current = null;
        setHover(null);
      }}
      onMouseMove={onMove}
      onClick={onClick}
      onDoubleClick={() => setZoom({ scale: 1, tx: 0, ty: 0, forId: id })}
    >
      <div className="stage-content" style={{ transform: `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})` }}>
        <img src={pixelStore.get(id)?.photoUrl} alt={name} data-testid="photo" draggable={false} />
        {(labelled || showGt) && <OverlayCanvas id={id} fileName={name} />}
        {labelled && !showGt && mode !== 'semantic' && <SelectionLayer id={id} />}
        {labelled && <LabelLayer id={id} zoom={view.scale} />}
      </div>
      {hover && (
        <div className="hover-label" data-testid="hover-label" style={{ left: hover.x + 12, top: hover.y + 12 }}>
          <strong>{hoverName}</strong>
          <span>
            {hover.info.isThing ? 'instance' : 'region'} · {hover.info.areaPx.toLocaleString()} px
            {hover.info.score !== undefined && ` · score ${hover.info.score.toFixed(2)}`}
          </span>
        </div>
      )}
    </div>
  );
}
