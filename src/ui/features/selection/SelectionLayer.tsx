// The selected masks drawn over the overlay (tinted, outlined), painted by the view worker at label
// resolution and stretched over the photo like the overlay.
import { useEffect, useRef } from 'react';
import { drawImage } from '../../processing/draw-image';
import { viewWorker } from '../../processing/view-client';
import { useSelection } from './selection-state';

export function SelectionLayer({ id }: { id: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const indices = useSelection((s) => (s.photoId === id ? s.indices : null));
  const key = indices?.join(',') ?? '';
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    let stale = false;
    const list = key ? key.split(',').map(Number) : [];
    if (!list.length) {
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      canvas.dataset.indices = '';
      return;
    }
    void viewWorker()
      .renderSelection(id, list)
      .then((img) => {
        if (stale || !img) return;
        drawImage(canvas, img);
        canvas.dataset.indices = key;
      });
    return () => {
      stale = true;
    };
  }, [id, key]);
  return <canvas ref={ref} className="selection-layer" data-testid="selection-layer" />;
}
