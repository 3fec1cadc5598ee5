// The Objects panel (left column): which proposal stage finds the objects, CutLER's MaskCut or the
// multi-view stage, as one registered action (session.proposals, key M).
import { ActionButton } from '../../actions/ActionButton';
import { proposalsChangeable } from '../../processing/proposal-choice';
import { useApp } from '../../state/store';

export function ProposalsPanel() {
  const proposals = useApp((s) => s.proposals);
  const multi = proposals === 'multi';
  return (
    <section className="models proposals" data-testid="proposals-panel" data-proposals={proposals} aria-label="Objects">
      <h2>Objects</h2>
      <ActionButton name="session.proposals" active={multi} testId="proposals-toggle" text={`${multi ? '☑' : '☐'} More objects (multi-view)`} />
      <p className="models-empty">
        {multi
          ? 'MaskCut on the photo and on 9 overlapping crops, wholes and parts: about 2× the objects found on COCO, several times slower a photo.'
          : "CutLER's MaskCut on the whole photo: up to 3 objects a photo, fast."}
        {!proposalsChangeable() && ' Set by the page address (?proposals=…).'}
      </p>
    </section>
  );
}
