// The overlay of the selected photo: painted by the view worker at label resolution whenever the
// view, the cluster table or the photo's labels change, and stretched over the photo by CSS.
import { useEffect, useRef } from 'react';
import { resolveCluster } from '../../../core/session/cluster-table';
import { drawImage } from '../../processing/draw-image';
import { markMoment } from '../../processing/timeline';
import { viewWorker } from '../../processing/view-client';
import { useShownSegments } from '../../state/adapt-store';
import { overlayLut, useSeg } from '../../state/segmentation-store';

export function OverlayCanvas({ id, fileName }: { id: string; fileName: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const mode = useSeg((s) => s.view.mode);
  const colourBy = useSeg((s) => s.view.colourBy);
  const outlines = useSeg((s) => s.view.outlines);
  const opacity = useSeg((s) => s.view.opacity);
  const table = useSeg((s) => s.table);
  const segments = useShownSegments(useSeg((s) => s.segmentsById[id]), id);
  const showGt = useSeg((s) => s.view.showGroundTruth && s.groundTruth != null);
  // Until the photo is labelled, what shows is provisional: the first photo's regions while its
  // backbone and masks finish, or earlier labels while new clusters are applied.
  const settled = useSeg((s) => s.stageById[id] === 'labelled');
  useEffect(() => {
    let stale = false;
    const canvas = ref.current;
    if (!canvas || (!segments && !showGt)) return;
    const lutRgba = overlayLut(table, (c) => resolveCluster(table, c));
    const painting = showGt ? viewWorker().renderGroundTruth(fileName) : viewWorker().render(id, { mode, colourBy, outlines, lutRgba });
    void painting.then((img) => {
      if (stale) return;
      if (!img) {
        canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
        canvas.dataset.rendered = showGt ? 'no-ground-truth' : '';
        return;
      }
      drawImage(canvas, img);
      if (!showGt) markMoment('overlay');
      if (!showGt && settled) markMoment('final-overlay');
      canvas.dataset.rendered = showGt ? 'ground-truth' : mode;
      canvas.dataset.settled = String(showGt || settled);
      canvas.dataset.photo = fileName;
    });
    return () => {
      stale = true;
    };
  }, [id, fileName, mode, colourBy, outlines, table, segments, showGt, settled]);
  return <canvas ref={ref} className="overlay" style={{ opacity }} data-testid="overlay" />;
}
