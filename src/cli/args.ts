// Command-line flag parsing shared by `npm run segment` and `npm run eval` (the batch side of
// method.md §2–§7): positional arguments, `--name value`, `--name=value` and declared switches.

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

/** `switchNames` are flags that take no value (e.g. --finalize); every other flag takes one. */
export function parseArgs(args: readonly string[], switchNames: readonly string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (switchNames.includes(a.slice(2))) switches.add(a.slice(2));
    else if (a.includes('=')) flags.set(a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1));
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`${a} needs a value`);
      flags.set(a.slice(2), value);
      i++;
    }
  }
  return { positional, flags, switches };
}

/** Refuses flags the command does not know, so a typo never silently falls back to a default. */
export function checkKnownFlags(parsed: ParsedArgs, known: readonly string[]): void {
  const unknown = [...parsed.flags.keys(), ...parsed.switches].filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`unknown option${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `--${k}`).join(', ')}`);
}

/** Parses a command's flags, or says why it should not run: the exit code, with the usage on stderr. */
export function parseCommand(args: readonly string[], switchNames: readonly string[], known: readonly string[], usage: string): ParsedArgs | number {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(args, switchNames);
    checkKnownFlags(parsed, known);
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.switches.has('help') || args.length === 0) {
    process.stderr.write(`${usage}\n`);
    return args.length === 0 ? 2 : 0;
  }
  return parsed;
}

export function intFlag(flags: Map<string, string>, name: string, min: number): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return v;
}

export function choiceFlag<T extends string>(flags: Map<string, string>, name: string, choices: readonly T[]): T | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`--${name} must be one of ${choices.join(', ')}; got "${raw}"`);
  return raw as T;
}

/** `--name 0,1,2`: integers ≥ 0, or the fallback when the flag is absent. */
export function intList(parsed: ParsedArgs, name: string, fallback: number[]): number[] {
  const raw = parsed.flags.get(name);
  if (raw === undefined) return fallback;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (!values.every((v) => Number.isInteger(v) && v >= 0)) throw new Error(`--${name} must be a comma-separated list of integers ≥ 0, got "${raw}"`);
  return values;
}

/** `--name 0.1,0.2`: exactly `count` finite numbers, or undefined when the flag is absent. */
export function numberList(flags: Map<string, string>, name: string, count: number): number[] | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => Number(s.trim()));
  if (values.length !== count || !values.every(Number.isFinite)) throw new Error(`--${name} must be ${count} comma-separated numbers, got "${raw}"`);
  return values;
}

/** `--name 0.001`: a positive number, or undefined when absent. */
export function positiveFlag(flags: Map<string, string>, name: string): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return v;
}
