// The labelling row under the view toolbar: Label mode, brush / eraser / fill, brush size, the
// class to paint (or a new one), show/hide, and ground truth as labels. All through actions.
import { useState } from 'react';
import { ActionButton } from '../../actions/ActionButton';
import { perform } from '../../actions/registry';
import { useSeg } from '../../state/segmentation-store';
import { canLabel, paintableClasses } from './labelling-actions';
import { MAX_RADIUS_PX, MIN_RADIUS_PX, useLabelling } from './label-state';

function ClassPicker() {
  const classId = useLabelling((s) => s.classId);
  useSeg((s) => s.table);
  const classes = paintableClasses();
  const chosen = classes.find((c) => c.id === classId);
  const group = (kind: 'thing' | 'stuff') =>
    classes
      .filter((c) => c.kind === kind)
      .map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
        </option>
      ));
  return (
    <label className="class-picker">
      <span className="swatch" style={{ background: chosen?.colour ?? 'transparent' }} />
      <select
        value={chosen ? String(chosen.id) : ''}
        aria-label="class to paint"
        data-testid="label-class"
        onChange={(e) => {
          useLabelling.getState().set({ classId: e.target.value ? Number(e.target.value) : null });
          // Leave the field so that the tool shortcuts work again.
          e.target.blur();
        }}
      >
        <option value="">class…</option>
        <optgroup label="Things">{group('thing')}</optgroup>
        <optgroup label="Stuff">{group('stuff')}</optgroup>
      </select>
    </label>
  );
}

function NewClassForm() {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'thing' | 'stuff'>('thing');
  return (
    <form
      className="new-class"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        perform('labels.addClass', { name, kind });
        setName('');
        (document.activeElement as HTMLElement | null)?.blur();
      }}
    >
      <input value={name} placeholder="new class" aria-label="new class name" data-testid="new-class-name" onChange={(e) => setName(e.target.value)} />
      <select value={kind} aria-label="new class kind" data-testid="new-class-kind" onChange={(e) => setKind(e.target.value as 'thing' | 'stuff')}>
        <option value="thing">thing</option>
        <option value="stuff">stuff</option>
      </select>
      <button type="submit" data-testid="new-class-add">
        Add
      </button>
    </form>
  );
}

export function LabelToolbar() {
  const { active, tool, radiusPx, showLabels, classId } = useLabelling();
  const hasGt = useSeg((s) => s.groundTruth != null);
  const userClass = useSeg((s) => (classId != null && s.table[classId]?.origin === 'user' ? s.table[classId] : null));
  useSeg((s) => s.segmentsById);
  if (!active && !canLabel()) return null;
  return (
    <div className={`toolbar label-toolbar${active ? ' active' : ''}`} role="toolbar" aria-label="labelling" data-testid="label-toolbar">
      <ActionButton name="labels.mode" active={active} text={active ? 'Labelling' : 'Label'} />
      {active && (
        <>
          <div className="group" role="group" aria-label="tool">
            <ActionButton name="labels.brush" active={tool === 'brush'} />
            <ActionButton name="labels.eraser" active={tool === 'eraser'} />
            <ActionButton name="labels.fill" active={tool === 'fill'} />
          </div>
          <label className="radius" title="Brush radius in label pixels (- and =)">
            Size
            <input
              type="range"
              min={MIN_RADIUS_PX}
              max={MAX_RADIUS_PX}
              value={radiusPx}
              data-testid="label-radius"
              onChange={(e) => useLabelling.getState().set({ radiusPx: Number(e.target.value) })}
              onPointerUp={(e) => e.currentTarget.blur()}
            />
            <span className="radius-value">{radiusPx} px</span>
          </label>
          <ClassPicker />
          {userClass && (
            <button className="link" title={`Delete the class "${userClass.name}" you added`} onClick={() => perform('labels.removeClass', { id: userClass.id })}>
              delete class
            </button>
          )}
          <NewClassForm />
          <label>
            <input type="checkbox" checked={showLabels} data-testid="toggle-user-labels" onChange={() => perform('labels.toggleShow')} /> My labels
          </label>
          <ActionButton name="labels.clear" text="Erase all" />
          {hasGt && (
            <div className="group" role="group" aria-label="ground truth as labels">
              <ActionButton name="labels.groundTruth" text="GT → my labels" />
              <ActionButton name="labels.groundTruthAll" text="GT → all photos" />
            </div>
          )}
        </>
      )}
    </div>
  );
}
