// The semantic head's actions (method.md §4): train STEGO's head on the session now, or stop it
// (Esc), keeping what it has learnt.
import { cancelSemantic, trainSemantic } from '../processing/semantic';
import { useSemantic } from '../state/semantic-store';
import { useSeg } from '../state/segmentation-store';
import { register } from './registry';

export function registerSemanticActions(): void {
  const semantic = () => useSemantic.getState();
  register(
    {
      name: 'semantic.train',
      label: 'Train the semantic head (STEGO)',
      enabled: () => !semantic().running && useSeg.getState().clusters != null && useSeg.getState().progress.phase === 'idle',
      perform: () => void trainSemantic(),
    },
    { name: 'semantic.cancel', label: 'Stop semantic training', keys: ['Escape'], enabled: () => semantic().running, perform: cancelSemantic },
  );
}
