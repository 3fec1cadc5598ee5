// The session's photos with their stage (queued → processing → labelling → labelled); click to view.
import { useSeg, type Stage } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { pixelStore } from '../../state/pixel-store';
import { useLabelling } from '../labelling/label-state';

export const STAGE_LABEL: Record<Stage, string> = { queued: 'queued', processing: 'working…', segmenting: 'finding objects…', labelling: 'labelling…', labelled: 'done', error: 'failed' };

export function Gallery() {
  const images = useApp((s) => s.images);
  const selectedId = useApp((s) => s.selectedId);
  const select = useApp((s) => s.select);
  const stages = useSeg((s) => s.stageById);
  const userLabelled = useLabelling((s) => s.labelledIds);
  if (!images.length) return null;
  return (
    <ul className="gallery" data-testid="gallery">
      {images.map((im) => {
        const stage = stages[im.id] ?? (im.status === 'error' ? 'error' : 'queued');
        return (
          <li key={im.id} className={im.id === selectedId ? 'selected' : ''}>
            <button onClick={() => select(im.id)} title={im.error ?? im.name}>
              <img src={pixelStore.get(im.id)?.photoUrl} alt="" />
              <span className="name">{im.name}</span>
              <span className={`status status-${stage}`} data-testid={`status-${stage}`}>
                {STAGE_LABEL[stage]}
              </span>
              {userLabelled[im.id] ? (
                <span className="user-badge" data-testid="user-labelled-badge" title="You labelled this photo">
                  ✎
                </span>
              ) : (
                <span />
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
