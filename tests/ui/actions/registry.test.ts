import { describe, expect, it } from 'vitest';
import { actionForKey, keyOf, perform, register } from '../../../src/ui/actions/registry';

describe('action registry', () => {
  it('maps keyboard events to declared shortcuts', () => {
    expect(keyOf({ key: 'z', ctrlKey: true, metaKey: false, shiftKey: false, altKey: false })).toBe('mod+z');
    expect(keyOf({ key: 'Z', ctrlKey: false, metaKey: true, shiftKey: true, altKey: false })).toBe('shift+mod+z');
    expect(keyOf({ key: '2', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })).toBe('2');
    expect(keyOf({ key: 'ArrowRight', ctrlKey: false, metaKey: false, shiftKey: false, altKey: false })).toBe('ArrowRight');
  });

  it('runs an action by name or by key, and not when disabled', () => {
    let n = 0;
    let on = true;
    register({ name: 'test.bump', label: 'Bump', keys: ['b'], enabled: () => on, perform: () => n++ });
    perform('test.bump');
    actionForKey('b')?.perform();
    on = false;
    perform('test.bump');
    expect(n).toBe(2);
    expect(() => perform('test.missing')).toThrow(/no action named/);
  });
});
