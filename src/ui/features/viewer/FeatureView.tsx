// The photo beside the PCA colouring of its backbone tokens: the first visible result of the
// pipeline, drawn from the worker's small RGBA grid (pixels never enter React state).
import { useEffect, useRef } from 'react';
import { pixelStore } from '../../state/pixel-store';
import { useApp } from '../../state/store';

function FeatureCanvas({ id, aspect }: { id: string; aspect: number }) {
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

export function Viewer() {
  const image = useApp((s) => s.images.find((im) => im.id === s.selectedId));
  if (!image) return <div className="viewer-empty">Drop photos to see their features.</div>;
  const pixels = pixelStore.get(image.id);
  const t = image.timingsMs;
  return (
    <div className="viewer">
      <div className="viewer-pair">
        <figure>
          <img src={pixels?.photoUrl} alt={image.name} data-testid="photo" />
          <figcaption>
            {image.name}
            {image.sizeHW && ` · ${image.sizeHW[1]}×${image.sizeHW[0]}`}
          </figcaption>
        </figure>
        <figure>
          {image.status === 'done' ? <FeatureCanvas id={image.id} aspect={image.sizeHW ? image.sizeHW[1] / image.sizeHW[0] : 1} /> : <div className="placeholder">{image.error ?? image.status}</div>}
          <figcaption>
            Backbone features (PCA){image.gridHW && ` · ${image.gridHW[1]}×${image.gridHW[0]} grid`}
          </figcaption>
        </figure>
      </div>
      {t && (
        <p className="timings" data-testid="timings">
          {Object.entries(t)
            .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
            .join(' · ')}
        </p>
      )}
    </div>
  );
}
