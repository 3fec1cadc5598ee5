// The main panel: toolbar, the selected photo with its overlay, its facts and timings, and
// optionally the backbone's feature view beside it.
import { useApp } from '../../state/store';
import { useSeg } from '../../state/segmentation-store';
import { LabelToolbar } from '../labelling/LabelToolbar';
import { SelectionBar } from '../selection/SelectionBar';
import { STAGE_LABEL } from '../gallery/Gallery';
import { FeatureCanvas } from './FeatureView';
import { Stage } from './Stage';
import { Toolbar } from './Toolbar';

export function Viewer() {
  const image = useApp((s) => s.images.find((im) => im.id === s.selectedId));
  const showFeatures = useSeg((s) => s.view.showFeatures);
  const stage = useSeg((s) => (image ? s.stageById[image.id] : undefined));
  if (!image) return <div className="viewer-empty">Drop photos (or a folder of photos) to segment them. Nothing leaves your computer.</div>;
  const t = image.timingsMs;
  return (
    <div className="viewer">
      <Toolbar />
      <LabelToolbar />
      <div className={showFeatures ? 'viewer-pair' : 'viewer-single'}>
        <figure>
          <Stage id={image.id} name={image.name} />
          <figcaption>
            {image.name}
            {image.sizeHW && ` · ${image.sizeHW[1]}×${image.sizeHW[0]}`}
            {stage && stage !== 'labelled' && ` · ${image.error ?? STAGE_LABEL[stage]}`}
          </figcaption>
          <SelectionBar id={image.id} />
        </figure>
        {showFeatures && (
          <figure>
            {image.status === 'done' ? <FeatureCanvas id={image.id} aspect={image.sizeHW ? image.sizeHW[1] / image.sizeHW[0] : 1} /> : <div className="placeholder">{image.error ?? image.status}</div>}
            <figcaption>Backbone features (PCA){image.gridHW && ` · ${image.gridHW[1]}×${image.gridHW[0]} grid`}</figcaption>
          </figure>
        )}
      </div>
      {t && (
        <p className="timings" data-testid="timings">
          Last image:{' '}
          {Object.entries(t)
            .map(([k, v]) => `${k} ${v.toFixed(0)} ms`)
            .join(' · ')}
        </p>
      )}
    </div>
  );
}
