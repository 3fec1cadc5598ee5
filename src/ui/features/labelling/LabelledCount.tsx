// "N photos labelled by you": how many photos carry the user's own labels (the few-shot targets),
// counted from the store's records (label-session.ts keeps the set current).
import { useApp } from '../../state/store';
import { useLabelling } from './label-state';

export function LabelledCount() {
  const labelledIds = useLabelling((s) => s.labelledIds);
  const n = useApp((s) => s.images.filter((im) => labelledIds[im.id]).length);
  if (!n) return null;
  return (
    <p className="user-labelled-count" data-testid="user-labelled-count">
      {n} photo{n === 1 ? '' : 's'} labelled by you
    </p>
  );
}
