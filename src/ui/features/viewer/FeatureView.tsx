// The PCA colouring of a photo's backbone tokens, drawn from the worker's small RGBA grid (pixels
// never enter React state): what the model sees, before any clustering.
import { useEffect, useRef } from 'react';
import { pixelStore } from '../../state/pixel-store';

export function FeatureCanvas({ id, aspect }: { id: string; aspect: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const view = pixelStore.get(id)?.features;
    const canvas = ref.current;
    if (!view || !canvas) return;
    canvas.width = view.gridW;
    canvas.height = view.gridH;
    canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(view.pcaRgba), view.gridW, view.gridH), 0, 0);
  }, [id]);
  // Features come from a square resize; stretch them back to the photo's shape to line up.
  return <canvas ref={ref} className="feature-canvas" style={{ aspectRatio: aspect }} data-testid="feature-view" />;
}
