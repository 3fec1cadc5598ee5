// JSON in/out and the error type shared by the COCO readers (instances, panoptic).
// coco-formats.md: readers name the offending record so that a bad import can be fixed by hand.

/** Thrown by the readers; `errors` lists every problem found, each naming its record. */
export class CocoFormatError extends Error {
  readonly errors: readonly string[];

  constructor(what: string, errors: readonly string[]) {
    const shown = errors.slice(0, 5).join('\n  ');
    const more = errors.length > 5 ? `\n  ... and ${errors.length - 5} more` : '';
    super(`${what}: ${errors.length} problem${errors.length === 1 ? '' : 's'}\n  ${shown}${more}`);
    this.name = 'CocoFormatError';
    this.errors = errors;
  }
}

/** Collects problems up to a cap so that a broken file with millions of records stays cheap to report. */
export class Issues {
  readonly list: string[] = [];
  private dropped = 0;

  constructor(private readonly cap = 200) {}

  add(where: string, message: string): void {
    if (this.list.length < this.cap) this.list.push(`${where}: ${message}`);
    else this.dropped++;
  }

  get count(): number {
    return this.list.length + this.dropped;
  }

  throwIfAny(what: string): void {
    if (this.count === 0) return;
    const all = this.dropped > 0 ? [...this.list, `(${this.dropped} further problems not listed)`] : this.list;
    throw new CocoFormatError(what, all);
  }
}

/** Accepts parsed JSON, a JSON string or UTF-8 bytes (a File's ArrayBuffer, fs.readFileSync). */
export function parseJsonInput(input: unknown, what: string): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) text = new TextDecoder().decode(input);
  else if (input instanceof ArrayBuffer) text = new TextDecoder().decode(new Uint8Array(input));
  else return input;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CocoFormatError(what, [`not valid JSON (${(error as Error).message})`]);
  }
}

export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Short, bounded rendering of a bad value for an error message. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
