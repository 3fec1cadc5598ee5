// The list of the session's photos with their status; click to view one.
import { useApp } from '../../state/store';
import { pixelStore } from '../../state/pixel-store';

const STATUS_LABEL = { queued: 'queued', running: 'working…', done: 'done', error: 'failed' } as const;

export function Gallery() {
  const images = useApp((s) => s.images);
  const selectedId = useApp((s) => s.selectedId);
  const select = useApp((s) => s.select);
  if (!images.length) return null;
  return (
    <ul className="gallery" data-testid="gallery">
      {images.map((im) => (
        <li key={im.id} className={im.id === selectedId ? 'selected' : ''}>
          <button onClick={() => select(im.id)} title={im.error ?? im.name}>
            <img src={pixelStore.get(im.id)?.photoUrl} alt="" />
            <span className="name">{im.name}</span>
            <span className={`status status-${im.status}`} data-testid={`status-${im.status}`}>
              {STATUS_LABEL[im.status]}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
