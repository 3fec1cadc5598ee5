// The page's URL settings: each read and typed once, unknown values falling back to the defaults.
import { describe, expect, it } from 'vitest';
import { DEFAULT_APP_PROPOSALS, readConfig } from '../../src/ui/config';

describe('page settings (src/ui/config.ts)', () => {
  it('has defaults for an empty query', () => {
    expect(readConfig('')).toEqual({ backend: 'auto', modelId: null, refine: 'crf', proposals: DEFAULT_APP_PROPOSALS, proposalsInUrl: false, workers: null, threads: null, debug: false, stego: true, regionsFirst: true, overlap: true, sharedStem: true, aheadPhotos: 1 });
  });

  it('reads every setting the README lists', () => {
    expect(readConfig('?backend=wasm&model=tiny-vit&refine=guided&proposals=multi&workers=3&threads=2&debug&stego=off&regions=off&overlap=off&stem=off&ahead=0')).toEqual({
      backend: 'wasm', modelId: 'tiny-vit', refine: 'guided', proposals: 'multi', proposalsInUrl: true, workers: 3, threads: 2, debug: true, stego: false, regionsFirst: false, overlap: false, sharedStem: false, aheadPhotos: 0,
    });
    expect(readConfig('backend=webgpu&refine=none').backend).toBe('webgpu');
  });

  it('falls back on values it does not know, and bounds the worker count', () => {
    expect(readConfig('?backend=cuda&refine=bilateral&workers=0&stego=on')).toMatchObject({ backend: 'auto', refine: 'crf', workers: null, stego: true });
    expect(readConfig('?proposals=reference').proposals).toBe('reference');
    expect(readConfig('?proposals=many')).toMatchObject({ proposals: DEFAULT_APP_PROPOSALS, proposalsInUrl: false });
    expect(readConfig('?workers=64').workers).toBe(8);
    expect(readConfig('?workers=2.7').workers).toBe(2);
    expect(readConfig('?threads=0').threads).toBeNull();
    expect(readConfig('?threads=99').threads).toBe(16);
    expect(readConfig('?model=').modelId).toBeNull();
    expect([readConfig('?ahead=9').aheadPhotos, readConfig('?ahead=-1').aheadPhotos, readConfig('?ahead=x').aheadPhotos]).toEqual([4, 1, 1]);
  });
});
