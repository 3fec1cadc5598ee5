// When a stored photo counts as made the way the page asks: the proposal stage, the refinement and,
// for the multi-view stage, its revision must all match, or the photo is made again on restore.
import { describe, expect, it } from 'vitest';
import { PROPOSAL_STAGE_REVISION } from '../../src/core/pipeline/instance-proposals';
import { madeAsAsked } from '../../workers/pipeline-jobs';

describe('madeAsAsked', () => {
  it('takes sessions from before the record as reference MaskCut', () => {
    expect(madeAsAsked({}, { refine: 'crf' })).toBe(true);
    expect(madeAsAsked({}, { proposals: 'multi', refine: 'crf' })).toBe(false);
  });

  it('needs the same stage and refinement', () => {
    expect(madeAsAsked({ made: { proposals: 'reference', refine: 'crf' } }, { proposals: 'reference', refine: 'crf' })).toBe(true);
    expect(madeAsAsked({ made: { proposals: 'reference', refine: 'crf' } }, { proposals: 'reference', refine: 'guided' })).toBe(false);
    expect(madeAsAsked({ made: { proposals: 'reference', refine: 'crf' } }, { proposals: 'multi', refine: 'crf' })).toBe(false);
  });

  it('remakes multi-view photos of an earlier revision of the stage', () => {
    const asked = { proposals: 'multi' as const, refine: 'crf' as const };
    expect(madeAsAsked({ made: { ...asked, revision: PROPOSAL_STAGE_REVISION } }, asked)).toBe(true);
    expect(madeAsAsked({ made: { ...asked, revision: PROPOSAL_STAGE_REVISION - 1 } }, asked)).toBe(false);
    expect(madeAsAsked({ made: asked }, asked)).toBe(false);
  });
});
