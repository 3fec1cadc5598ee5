// Every user action is one registered object (Excalidraw's pattern): its label, its shortcut and
// what it does. Buttons, menus and the keyboard all go through `perform`, so they cannot drift apart.

export interface Action {
  name: string;
  label: string;
  /** Shortcuts such as "mod+z", "shift+mod+z", "1", "ArrowRight" ("mod" = Ctrl, or ⌘ on macOS). */
  keys?: string[];
  /** When false the action is shown disabled and its shortcut does nothing. */
  enabled?: () => boolean;
  /** Actions with a payload (rename to what?) are performed from forms, never from a bare key. */
  perform: (payload?: unknown) => void;
}

const actions = new Map<string, Action>();

export function register(...list: Action[]): void {
  for (const a of list) actions.set(a.name, a);
}

export function getAction(name: string): Action {
  const a = actions.get(name);
  if (!a) throw new Error(`no action named ${name}`);
  return a;
}

export function allActions(): Action[] {
  return [...actions.values()];
}

export function perform(name: string, payload?: unknown): void {
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
