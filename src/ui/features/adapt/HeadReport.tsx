// What the saved head is and how its training went, round by round (method.md §6: does a second
// self-training round help?), with the agreement on the user's own labelled patches.
import type { HeadSummary } from '../../../../workers/adapt-api';
import { useSeg } from '../../state/segmentation-store';
import { LossCurve } from './LossCurve';

const pct = (x: number | null) => (x == null ? '–' : `${(100 * x).toFixed(1)} %`);

export function HeadReport({ summary }: { summary: HeadSummary }) {
  const table = useSeg((s) => s.table);
  const names = summary.classes.map((c) => table[c.categoryId]?.name ?? c.name);
  const where = summary.backend === 'imported' ? 'loaded from a file' : `trained on ${summary.backend === 'webgpu' ? 'WebGPU' : 'the CPU (TypeScript)'}`;
  return (
    <div className="head-report" data-testid="head-report">
      <div>
        {summary.kind === 'mlp' ? `MLP (${summary.hiddenDim} hidden)` : 'Linear'} head, {where}
        {summary.stopped ? ', stopped early' : ''}; {summary.labelledImages} {summary.labelledImages === 1 ? 'photo' : 'photos'} with your labels.
        {summary.leftOutImages > 0 && ` ${summary.leftOutImages} photos with pseudo labels only were left out of training to stay within memory (they are labelled all the same).`}
      </div>
      <div className="head-classes" title={names.join(', ')}>
        {summary.classes.length} classes: {names.slice(0, 12).join(', ')}
        {names.length > 12 ? ', …' : ''}
      </div>
      {summary.rounds.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>round</th>
              <th>patches</th>
              <th>final loss</th>
              <th>train acc.</th>
              <th>your labels right</th>
              <th>changed</th>
            </tr>
          </thead>
          <tbody>
            {summary.rounds.map((r) => {
              const last = r.history.at(-1);
              return (
                <tr key={r.round}>
                  <td>{r.round}</td>
                  <td>{r.samples}</td>
                  <td>{last ? last.loss.toFixed(3) : '–'}</td>
                  <td>{last ? pct(last.accuracy) : '–'}</td>
                  <td>{pct(r.userAgreement)}</td>
                  <td>{pct(r.changedFraction)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {summary.rounds.length > 0 && <LossCurve rounds={summary.rounds.map((r) => r.history)} />}
    </div>
  );
}
