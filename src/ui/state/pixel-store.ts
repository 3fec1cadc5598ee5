// Pixels that belong to an image id but must not live in React state: the photo's object URL and
// the feature view returned by the worker. Components read it by id after the store says "done".
import type { FeatureView } from '../../../workers/backbone-api';

interface Pixels {
  photoUrl: string;
  file: File;
  features?: FeatureView;
}

const byId = new Map<string, Pixels>();

export const pixelStore = {
  put(id: string, file: File): void {
    byId.set(id, { photoUrl: URL.createObjectURL(file), file });
  },
  get(id: string): Pixels | undefined {
    return byId.get(id);
  },
  setFeatures(id: string, features: FeatureView): void {
    const p = byId.get(id);
    if (p) p.features = features;
  },
  delete(id: string): void {
    const p = byId.get(id);
    if (p) URL.revokeObjectURL(p.photoUrl);
    byId.delete(id);
  },
};
