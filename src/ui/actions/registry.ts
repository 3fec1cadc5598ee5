// Every user action is one registered object (Excalidraw's pattern): its label, its shortcut and
// what it does. Buttons, menus and the keyboard all go through `perform`, so they cannot drift apart.
// Names come from a closed list (action-names.ts); registering a name twice, or a key that another
// action binds (except the declared SHARED_KEYS), throws instead of silently replacing it.
import { SHARED_KEYS, type ActionName } from './action-names';

export type { ActionName };

export interface Action {
  name: ActionName;
  label: string;
  /** Shortcuts such as "mod+z", "shift+mod+z", "1", "ArrowRight" ("mod" = Ctrl, or ⌘ on macOS). */
  keys?: string[];
  /** When false the action is shown disabled and its shortcut does nothing. */
  enabled?: () => boolean;
  /** Actions with a payload (rename to what?) are performed from forms, never from a bare key. */
  perform: (payload?: unknown) => void;
}

const actions = new Map<ActionName, Action>();

/** The action other than `name` that already binds `key`, unless the key is declared shared. */
function clashOf(name: ActionName, key: string): Action | undefined {
  if (SHARED_KEYS.includes(key)) return undefined;
  return [...actions.values()].find((a) => a.name !== name && a.keys?.includes(key));
}

function checkKeys(a: Action): void {
  for (const key of a.keys ?? []) {
    const other = clashOf(a.name, key);
    if (other) throw new Error(`shortcut "${key}" of ${a.name} is already ${other.name}'s (declare it in SHARED_KEYS if both are meant to have it)`);
  }
}

/** Adds actions; throws on a name already registered or a shortcut another action has. */
export function register(...list: Action[]): void {
  for (const a of list) {
    if (actions.has(a.name)) throw new Error(`action ${a.name} is registered twice (use extend() to change it)`);
    checkKeys(a);
    actions.set(a.name, a);
  }
}

/** Replaces a registered action with one made from it (e.g. Label mode's undo wraps edit.undo). */
export function extend(name: ActionName, make: (base: Action) => Omit<Action, 'name'>): void {
  const next = { ...make(getAction(name)), name };
  checkKeys(next);
  actions.set(name, next);
}

/** Forgets every action (tests). */
export function clearActions(): void {
  actions.clear();
}

export function getAction(name: ActionName): Action {
  const a = actions.get(name);
  if (!a) throw new Error(`no action named ${name}`);
  return a;
}

export function allActions(): Action[] {
  return [...actions.values()];
}

export function perform(name: ActionName, payload?: unknown): void {
  const a = getAction(name);
  if (a.enabled?.() === false) return;
  a.perform(payload);
}

/** The shortcut string of a keyboard event, in the form actions declare. */
export function keyOf(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): string {
  const parts: string[] = [];
  if (e.shiftKey && e.key.length > 1) parts.push('shift');
  if (e.shiftKey && e.key.length === 1 && (e.ctrlKey || e.metaKey)) parts.push('shift');
  if (e.altKey) parts.push('alt');
  if (e.ctrlKey || e.metaKey) parts.push('mod');
  parts.push(e.key.length === 1 ? e.key.toLowerCase() : e.key);
  return parts.join('+');
}

/** Finds the action bound to a key, if any: an enabled one first, so modes can share a key (Escape). */
export function actionForKey(key: string): Action | undefined {
  const bound = allActions().filter((a) => a.keys?.includes(key));
  return bound.find((a) => a.enabled?.() !== false) ?? bound[0];
}

/** Keyboard handling for the whole page; typing in a field never triggers actions. */
export function handleKeyDown(e: KeyboardEvent): void {
  const target = e.target as HTMLElement | null;
  if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
  const action = actionForKey(keyOf(e));
  if (!action || action.enabled?.() === false) return;
  e.preventDefault();
  action.perform();
}
