// Finds the backbone weights inside a loaded checkpoint and normalises their names to DINO's
// (method.md §1): official files are a flat state dict, training checkpoints nest it.

/** Where training scripts put the weights; DINO evaluates the teacher, so it comes before student. */
export const NESTED_STATE_DICT_KEYS = ['state_dict', 'model', 'teacher', 'student', 'module', 'network', 'net'];

/** Wrappers that DataParallel / DINO's MultiCropWrapper add in front of the backbone's own names. */
const WRAPPER_PREFIXES = ['module.', 'backbone.'];

const MAX_NESTING = 3;

export function stripWrapperPrefixes(key: string): string {
  let k = key;
  for (let again = true; again; ) {
    again = false;
    for (const p of WRAPPER_PREFIXES) {
      if (k.startsWith(p)) {
        k = k.slice(p.length);
        again = true;
      }
    }
  }
  return k;
}

function tensorEntries<T>(value: unknown, isTensor: (v: unknown) => v is T): [string, T][] {
  if (!(value instanceof Map)) return [];
  const out: [string, T][] = [];
  for (const [k, v] of value) if (typeof k === 'string' && isTensor(v)) out.push([k, v]);
  return out;
}

function describeKeys(value: unknown): string {
  if (!(value instanceof Map)) return `the top level is not a dict`;
  const keys = [...value.keys()].map(String);
  const shown = keys.slice(0, 12).join(', ');
  return `top-level keys are [${shown}${keys.length > 12 ? `, … ${keys.length - 12} more` : ''}]`;
}

function search<T>(value: unknown, isTensor: (v: unknown) => v is T, depth: number): [string, T][] | null {
  const own = tensorEntries(value, isTensor);
  // A dict that is mostly tensors is a state dict; one with a few stray tensors (a loss centre) is not.
  if (value instanceof Map && own.length > 0 && own.length * 2 >= value.size) return own;
  if (!(value instanceof Map) || depth >= MAX_NESTING) return null;
  for (const key of NESTED_STATE_DICT_KEYS) {
    if (!value.has(key)) continue;
    const found = search(value.get(key), isTensor, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Returns the tensors of the state dict inside `root` (a flat dict, or one nested under
 * teacher/student/state_dict/model), with `module.` / `backbone.` prefixes removed.
 */
export function selectStateDict<T>(root: unknown, isTensor: (v: unknown) => v is T): Map<string, T> {
  const entries = search(root, isTensor, 0);
  if (!entries) {
    throw new Error(
      `no state dict found in the checkpoint: ${describeKeys(root)}; looked for a dict of tensors at the top ` +
        `level or under ${NESTED_STATE_DICT_KEYS.join(', ')}`,
    );
  }
  const out = new Map<string, T>();
  for (const [k, v] of entries) {
    const name = stripWrapperPrefixes(k);
    if (!out.has(name)) out.set(name, v);
  }
  return out;
}
