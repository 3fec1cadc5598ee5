// Export: COCO instances (RLE or polygons), COCO panoptic and semantic PNGs of every labelled
// photo, in one zip built by the view worker, with the user's names and merges applied.
import { useState } from 'react';
import { download } from './download';
import { viewWorker } from '../../processing/view-client';
import { useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';

export function ExportDialog() {
  const open = useSeg((s) => s.dialog === 'export');
  const [opts, setOpts] = useState({ instances: true, panoptic: true, semantic: true, polygons: false });
  const [busy, setBusy] = useState(false);
  if (!open) return null;
  const close = () => useSeg.getState().setDialog(null);
  const run = async () => {
    setBusy(true);
    try {
      const { images } = useApp.getState();
      const { stageById, table } = useSeg.getState();
      const list = images
        .map((im, i) => ({ im, cocoId: i + 1 }))
        .filter(({ im }) => stageById[im.id] === 'labelled' && im.sizeHW)
        .map(({ im, cocoId }) => ({ id: im.id, cocoId, fileName: im.name, sizeHW: im.sizeHW as [number, number] }));
      const zip = await viewWorker().exportZip(list, table, opts);
      download(zip, 'u2seg-export.zip', 'application/zip');
      useApp.getState().notify('info', `Exported ${list.length} photos (${(zip.length / 1024).toFixed(0)} KiB).`);
      close();
    } catch (err) {
      useApp.getState().notify('error', `Export failed: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  const box = (key: keyof typeof opts, label: string) => (
    <label>
      <input type="checkbox" checked={opts[key]} onChange={() => setOpts({ ...opts, [key]: !opts[key] })} /> {label}
    </label>
  );
  return (
    <div className="dialog-backdrop" onClick={close}>
      <div className="dialog" role="dialog" aria-label="Export" onClick={(e) => e.stopPropagation()}>
        <h2>Export</h2>
        {box('instances', 'COCO instances (annotations/instances_u2seg.json and a results file)')}
        {box('polygons', 'polygons instead of RLE in the instances file')}
        {box('panoptic', 'COCO panoptic (PNGs + JSON, panopticapi layout)')}
        {box('semantic', 'semantic PNGs (pixel = category id, 16-bit when needed)')}
        <div className="dialog-buttons">
          <button onClick={close}>Cancel</button>
          <button className="primary" disabled={busy} onClick={() => void run()} data-testid="export-download">
            {busy ? 'Building…' : 'Download zip'}
          </button>
        </div>
      </div>
    </div>
  );
}
