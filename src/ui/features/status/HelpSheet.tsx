// Every registered action with its shortcut, generated from the registry so it cannot go stale.
import { allActions } from '../../actions/registry';
import { useSeg } from '../../state/segmentation-store';

export function HelpSheet() {
  const open = useSeg((s) => s.dialog === 'help');
  if (!open) return null;
  return (
    <div className="dialog-backdrop" onClick={() => useSeg.getState().setDialog(null)}>
      <div className="dialog" role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {allActions()
              .filter((a) => a.keys?.length)
              .map((a) => (
                <tr key={a.name}>
                  <td>{a.label}</td>
                  <td>{a.keys?.map((k) => <kbd key={k}>{k.replace('mod+', 'Ctrl+')}</kbd>)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
