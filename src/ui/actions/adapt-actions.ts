// The adaptation's actions (method.md §6): open the Adapt dialog, train, cancel, switch between the
// head's and the clusters' labels, export, load and remove the head.
import { cancelAdapt, exportHead, removeHead, startAdapt } from '../processing/adapt';
import { useAdapt } from '../state/adapt-store';
import { useSeg } from '../state/segmentation-store';
import { register } from './registry';

export function registerAdaptActions(): void {
  const adapt = () => useAdapt.getState();
  register(
    {
      name: 'adapt.open',
      label: 'Adapt to your labels…',
      keys: ['a'],
      enabled: () => useSeg.getState().clusters != null,
      perform: () => useSeg.getState().setDialog(useSeg.getState().dialog === 'adapt' ? null : 'adapt'),
    },
    { name: 'adapt.train', label: 'Train the head', enabled: () => !adapt().running, perform: () => void startAdapt() },
    { name: 'adapt.cancel', label: 'Stop training', keys: ['Escape'], enabled: () => adapt().running, perform: cancelAdapt },
    {
      name: 'adapt.toggleSource',
      label: "Show the head's / the clusters' labels",
      keys: ['t'],
      enabled: () => adapt().summary != null,
      perform: () => adapt().setSource(adapt().source === 'head' ? 'clusters' : 'head'),
    },
    { name: 'adapt.exportHead', label: 'Export the head', enabled: () => adapt().summary != null && !adapt().running, perform: () => void exportHead() },
    {
      name: 'adapt.removeHead',
      label: 'Remove the head',
      enabled: () => adapt().summary != null && !adapt().running,
      perform: () => {
        if (window.confirm('Remove the adapted head? The photos show their cluster labels again.')) void removeHead();
      },
    },
  );
}
