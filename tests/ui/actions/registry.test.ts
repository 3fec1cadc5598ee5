// The action registry: shortcuts from key events, perform by name or key, a clash of names or keys
// refused, Escape shared by the actions of different modes, and the app's own actions registering cleanly.
import { beforeEach, describe, expect, it } from 'vitest';
import { ACTION_NAMES, type ActionName } from '../../../src/ui/actions/action-names';
import { actionForKey, allActions, clearActions, extend, keyOf, perform, register } from '../../../src/ui/actions/registry';

describe('action registry', () => {
  beforeEach(clearActions);

  it('maps keyboard events to declared shortcuts', () => {
    expect(keyOf({ key: 'z', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false })).toBe('mod+z');
    expect(keyOf({ key: 'Z', ctrlKey: false, metaKey: true, shiftKey: true, altKey: false })).toBe('shift+mod+z');
    expect(keyOf({ key: '2', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })).toBe('2');
    expect(keyOf({ key: 'ArrowRight', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })).toBe('ArrowRight');
  });

  it('runs an action by name or by key, and not when disabled', () => {
    let n = 0;
    let on = true;
    register({ name: 'view.outlines', label: 'Bump', keys: ['b'], enabled: () => on, perform: () => n++ });
    perform('view.outlines');
    actionForKey('b')?.perform();
    on = false;
    perform('view.outlines');
    expect(n).toBe(2);
    expect(() => perform('view.features')).toThrow(/no action named view.features/);
  });

  it('refuses a name registered twice and a shortcut another action has', () => {
    register({ name: 'view.outlines', label: 'Outlines', keys: ['o'], perform: () => {} });
    expect(() => register({ name: 'view.outlines', label: 'Again', perform: () => {} })).toThrow(/view.outlines is registered twice/);
    expect(() => register({ name: 'view.features', label: 'Features', keys: ['f', 'o'], perform: () => {} })).toThrow(/shortcut "o" of view.features is already view.outlines's/);
    expect(allActions().map((a) => a.name)).toEqual(['view.outlines']);
    // extend() changes an action in place, and its keys are checked too.
    register({ name: 'view.features', label: 'Features', keys: ['f'], perform: () => {} });
    expect(() => extend('view.features', (base) => ({ ...base, keys: ['o'] }))).toThrow(/already view.outlines's/);
    extend('view.features', (base) => ({ ...base, label: 'Backbone features' }));
    expect(allActions().find((a) => a.name === 'view.features')?.label).toBe('Backbone features');
  });

  it('lets the declared shared key (Escape) go to whichever of its actions is enabled', () => {
    const ran: ActionName[] = [];
    let mode: 'processing' | 'labelling' | 'none' = 'processing';
    register(
      { name: 'session.cancel', label: 'Cancel', keys: ['Escape'], enabled: () => mode === 'processing', perform: () => ran.push('session.cancel') },
      { name: 'labels.leave', label: 'Leave', keys: ['Escape'], enabled: () => mode === 'labelling', perform: () => ran.push('labels.leave') },
    );
    actionForKey('Escape')?.perform();
    mode = 'labelling';
    actionForKey('Escape')?.perform();
    mode = 'none';
    expect(actionForKey('Escape')?.enabled?.()).toBe(false);
    expect(ran).toEqual(['session.cancel', 'labels.leave']);
  });
});

describe("the page's actions", () => {
  it('register without a clash, every name of the closed list, every key once but Escape', async () => {
    clearActions();
    const { registerAppActions } = await import('../../../src/ui/actions/app-actions');
    const { registerLabellingActions } = await import('../../../src/ui/features/labelling/labelling-actions');
    registerAppActions();
    registerLabellingActions();
    expect(allActions().map((a) => a.name).sort()).toEqual([...ACTION_NAMES].sort());
    const escape = allActions().filter((a) => a.keys?.includes('Escape')).map((a) => a.name).sort();
    expect(escape).toEqual(['adapt.cancel', 'labels.leave', 'select.clear', 'semantic.cancel', 'session.cancel']);
  });
});
