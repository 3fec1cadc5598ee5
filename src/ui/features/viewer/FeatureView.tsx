// The PCA colouring of a photo's backbone tokens, computed by the view worker from the stored
// tokens when the view is shown (never on the way to the overlay) and drawn on the feature grid:
// what the model sees, before any clustering. Pixels never enter React state.
import { useEffect, useRef } from 'react';
import { drawImage } from '../../processing/draw-image';
import { viewWorker } from '../../processing/view-client';

export function FeatureCanvas({ id, aspect }: { id: string; aspect: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let stale = false;
    if (ref.current) delete ref.current.dataset.rendered;
    void viewWorker()
      .featurePca(id)
      .then((img) => {
        const canvas = ref.current;
        if (stale || !img || !canvas) return;
        drawImage(canvas, img);
        canvas.dataset.rendered = id;
      });
    return () => {
      stale = true;
    };
  }, [id]);
  // Features come from a square resize; stretch them back to the photo's shape to line up.
  return <canvas ref={ref} className="feature-canvas" style={{ aspectRatio: aspect }} data-testid="feature-view" />;
}
