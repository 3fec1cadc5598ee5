// The user-label layer over the photo: paints the shown map (only the changed rectangle per pointer
// event) and, in Label mode, turns pointer input (mouse, pen, touch) into strokes and segment fills.
import { useEffect, useRef, type PointerEvent } from 'react';
import { resolveCluster } from '../../../core/session/cluster-table';
import { paintUserLabels, withOutlineMargin } from '../../../core/render/user-labels';
import { overlayLut, useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { beginStroke, endStroke, extendStroke, fillSegment, hide, show, shownMap, subscribe } from './label-session';
import { useLabelling } from './label-state';

/** Space held in Label mode pans (the Stage's drag) instead of painting. */
function usePanKey(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const typing = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      return Boolean(t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)));
    };
    const down = (e: KeyboardEvent) => {
      if (e.key !== ' ' || typing(e)) return;
      // Otherwise space scrolls the page or presses the focused toolbar button again.
      e.preventDefault();
      if (!useLabelling.getState().panning) useLabelling.getState().set({ panning: true });
    };
    const up = (e: KeyboardEvent) => e.key === ' ' && useLabelling.getState().set({ panning: false });
    window.addEventListener('keydown', down, true);
    window.addEventListener('keyup', up, true);
    return () => {
      window.removeEventListener('keydown', down, true);
      window.removeEventListener('keyup', up, true);
      useLabelling.getState().set({ panning: false });
    };
  }, [active]);
}

export function LabelLayer({ id, zoom }: { id: string; zoom: number }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const cursorRef = useRef<HTMLDivElement>(null);
  const drawing = useRef<number | null>(null);
  const { active, tool, radiusPx, classId, showLabels, panning, saveState } = useLabelling();
  const table = useSeg((s) => s.table);
  usePanKey(active);

  useEffect(() => {
    void show(id);
    return () => hide(id);
  }, [id]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const lut = overlayLut(table, (c) => resolveCluster(table, c));
    let image: ImageData | null = null;
    const paint: Parameters<typeof subscribe>[0] = (changed) => {
      const m = shownMap();
      if (!m || m.id !== id) {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        delete canvas.dataset.photo;
        return;
      }
      if (!image || canvas.width !== m.width || canvas.height !== m.height) {
        canvas.width = m.width;
        canvas.height = m.height;
        image = new ImageData(m.width, m.height);
        changed = null;
      }
      const r = changed ? withOutlineMargin(changed, m.width, m.height) : { x0: 0, y0: 0, x1: m.width, y1: m.height };
      paintUserLabels(m.categoryRowMajor, m.width, m.height, lut, image.data, r);
      ctx.putImageData(image, 0, 0, r.x0, r.y0, r.x1 - r.x0, r.y1 - r.y0);
      canvas.dataset.photo = id;
    };
    paint(null);
    return subscribe(paint);
  }, [id, table]);

  const toLabel = (e: { clientX: number; clientY: number }) => {
    const m = shownMap();
    const r = canvasRef.current?.getBoundingClientRect();
    if (!m || !r || !r.width || !r.height) return null;
    return { x: ((e.clientX - r.left) / r.width) * m.width, y: ((e.clientY - r.top) / r.height) * m.height, m };
  };

  const moveCursor = (e: PointerEvent<HTMLCanvasElement>) => {
    const c = cursorRef.current;
    const p = toLabel(e);
    if (!c || !p) return;
    c.style.left = `${(100 * p.x) / p.m.width}%`;
    c.style.top = `${(100 * p.y) / p.m.height}%`;
    c.style.display = 'block';
  };

  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    // The middle button (and space, which disables this layer's pointer events) pans the photo.
    if (!active || panning || (e.pointerType === 'mouse' && e.button !== 0)) return;
    const p = toLabel(e);
    if (!p || p.m.id !== id) return;
    e.preventDefault();
    const { notify } = useApp.getState();
    const value = tool === 'eraser' ? 0 : classId;
    if (value == null) {
      notify('error', 'Pick a class (or add one) to paint with first.');
      return;
    }
    if (!showLabels) useLabelling.getState().set({ showLabels: true });
    if (tool === 'fill') {
      void fillSegment(p.x, p.y, value).then((ok) => ok || notify('info', 'There is no segment there in this view.'));
      return;
    }
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      // A pointer the browser no longer tracks: the stroke still works while it stays over the photo.
    }
    drawing.current = e.pointerId;
    beginStroke(p.x, p.y, value);
  };

  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    moveCursor(e);
    if (drawing.current !== e.pointerId) return;
    // A pen reports more samples than frames: use them all for a smooth stroke.
    const samples = e.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const s of samples.length ? samples : [e.nativeEvent]) {
      const p = toLabel(s);
      if (p) extendStroke(p.x, p.y);
    }
  };

  const finish = (e: PointerEvent<HTMLCanvasElement>) => {
    if (drawing.current !== e.pointerId) return;
    drawing.current = null;
    endStroke();
  };

  const painting = active && !panning;
  const m = shownMap();
  const cursorDiameter = m ? (200 * radiusPx) / m.width : 0;
  return (
    <>
      <canvas
        ref={canvasRef}
        className={`user-labels${painting ? ' painting' : ''}`}
        style={{ opacity: showLabels ? 1 : 0 }}
        data-testid="user-labels"
        data-save-state={saveState}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finish}
        onPointerCancel={finish}
        onLostPointerCapture={finish}
        onPointerLeave={() => cursorRef.current && (cursorRef.current.style.display = 'none')}
      />
      {painting && tool !== 'fill' && (
        <div
          ref={cursorRef}
          className={`brush-cursor${tool === 'eraser' ? ' eraser' : ''}`}
          style={{ width: `${cursorDiameter}%`, aspectRatio: '1', borderWidth: `${1 / zoom}px`, display: 'none' }}
        />
      )}
    </>
  );
}
