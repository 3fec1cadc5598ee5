// Which proposal stage makes the instances (CutLER's MaskCut, or the multi-view stage with more
// objects at several times the time), chosen by the user and remembered, unless the address names one.
import type { ProposalMode } from '../../core/pipeline/image-pass';
import { CHOSEN_PROPOSALS_KEY, pageConfig } from '../config';
import { useApp } from '../state/store';
import { remakePhotos } from './pipeline';

/** Whether the user may switch (the address fixes the stage while it names one). */
export function proposalsChangeable(): boolean {
  return !pageConfig().proposalsInUrl;
}

/** Switches the stage, remembers it and makes every photo's instances again with it. */
export async function chooseProposals(mode: ProposalMode): Promise<void> {
  if (!proposalsChangeable() || useApp.getState().proposals === mode) return;
  await remakePhotos('The proposal stage was not switched', async () => {
    localStorage.setItem(CHOSEN_PROPOSALS_KEY, mode);
    useApp.getState().setProposals(mode);
  });
}
