// A minimal Python pickle virtual machine (protocols 2–4), enough for what torch.save writes, so
// DINO checkpoints (method.md §1) can be read in TypeScript without Python.

/** A class or function named by GLOBAL; `call` gives it behaviour, otherwise REDUCE builds a PyObject. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: unknown[]) => unknown,
  ) {}

  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of a class the reader has no behaviour for (argparse.Namespace, ...): kept opaque. */
export class PyObject {
  state: unknown = undefined;
  constructor(
    readonly cls: PyGlobal,
    readonly args: unknown[],
  ) {}
}

/** Python dicts become Maps (keys may be ints); tuples and lists become arrays. */
export type PyDict = Map<unknown, unknown>;

export interface PickleHooks {
  /** Resolves GLOBAL / STACK_GLOBAL; return a PyGlobal, with `call` for classes that need behaviour. */
  findClass(module: string, name: string): PyGlobal;
  /** BINPERSID: torch stores each tensor storage as a persistent id. */
  persistentLoad(pid: unknown): unknown;
}

export class PickleError extends Error {}

class Reader {
  pos: number;
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): number {
    if (this.pos + n > this.bytes.length) {
      throw new PickleError(`pickle stream ends at byte ${this.bytes.length}, ${n} more bytes needed at ${this.pos}`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)];
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): number {
    const at = this.need(8);
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(`length ${v} at byte ${at} is implausible`);
    return Number(v);
  }
  /** BINFLOAT is the one big-endian field in pickle. */
  f64be(): number {
    return this.view.getFloat64(this.need(8), false);
  }
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError(`unterminated text line at byte ${this.pos}`);
    const text = latin1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }
}

/** LONG1/LONG4 payload: little-endian two's complement; a number when it is exactly representable. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function setPairs(d: PyDict, items: unknown[]): void {
  for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

class Machine {
  private readonly stack: unknown[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(
    private readonly r: Reader,
    private readonly hooks: PickleHooks,
  ) {}

  private pop(): unknown {
    if (this.stack.length === 0 || this.stack.length <= (this.marks.at(-1) ?? -1)) {
      throw new PickleError(`pickle stack underflow at byte ${this.r.pos}`);
    }
    return this.stack.pop();
  }
  private top(): unknown {
    if (this.stack.length === 0) throw new PickleError(`pickle stack empty at byte ${this.r.pos}`);
    return this.stack[this.stack.length - 1];
  }
  private popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) throw new PickleError(`pickle MARK missing at byte ${this.r.pos}`);
    return this.stack.splice(m);
  }
  private get(idx: number): unknown {
    if (!this.memo.has(idx)) throw new PickleError(`pickle memo ${idx} is unset at byte ${this.r.pos}`);
    return this.memo.get(idx);
  }
  private dictTarget(): PyDict {
    const d = this.top();
    if (!(d instanceof Map)) throw new PickleError(`SETITEM(S) on a non-dict at byte ${this.r.pos}`);
    return d;
  }
  private listTarget(): unknown[] {
    const l = this.top();
    if (!Array.isArray(l)) throw new PickleError(`APPEND(S) on a non-list at byte ${this.r.pos}`);
    return l;
  }

  private reduce(fn: unknown, args: unknown): unknown {
    if (!(fn instanceof PyGlobal)) throw new PickleError(`REDUCE on a non-callable at byte ${this.r.pos}`);
    const list = Array.isArray(args) ? args : [];
    return fn.call ? fn.call(list) : new PyObject(fn, list);
  }

  private build(state: unknown): void {
    const obj = this.top();
    // OrderedDict state (torch's `_metadata`) and tensor hooks carry nothing a reader of weights needs.
    if (obj instanceof PyObject) obj.state = state;
  }

  private pushGlobal(module: string, name: string): void {
    this.stack.push(this.hooks.findClass(module, name));
  }

  /** Opcodes that push one literal value; returns false when `op` is not one of them. */
  private literal(op: number): boolean {
    const r = this.r;
    const s = this.stack;
    switch (op) {
      case 0x4a: s.push(r.i32()); break; // BININT
      case 0x4b: s.push(r.u8()); break; // BININT1
      case 0x4d: s.push(r.u16()); break; // BININT2
      case 0x8a: s.push(decodeLong(r.raw(r.u8()))); break; // LONG1
      case 0x8b: s.push(decodeLong(r.raw(r.i32()))); break; // LONG4
      case 0x47: s.push(r.f64be()); break; // BINFLOAT
      case 0x4e: s.push(null); break; // NONE
      case 0x88: s.push(true); break; // NEWTRUE
      case 0x89: s.push(false); break; // NEWFALSE
      case 0x58: s.push(utf8.decode(r.raw(r.u32()))); break; // BINUNICODE
      case 0x8c: s.push(utf8.decode(r.raw(r.u8()))); break; // SHORT_BINUNICODE
      case 0x8d: s.push(utf8.decode(r.raw(r.u64()))); break; // BINUNICODE8
      case 0x54: s.push(latin1.decode(r.raw(r.i32()))); break; // BINSTRING (Python 2 str)
      case 0x55: s.push(latin1.decode(r.raw(r.u8()))); break; // SHORT_BINSTRING
      case 0x42: s.push(r.raw(r.u32()).slice()); break; // BINBYTES
      case 0x43: s.push(r.raw(r.u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: s.push(r.raw(r.u64()).slice()); break; // BINBYTES8, BYTEARRAY8
      default: return false;
    }
    return true;
  }

  /** Opcodes that build or fill dicts, lists, tuples and sets. */
  private container(op: number): boolean {
    const s = this.stack;
    switch (op) {
      case 0x7d: s.push(new Map()); break; // EMPTY_DICT
      case 0x5d: case 0x29: case 0x8f: s.push([]); break; // EMPTY_LIST, EMPTY_TUPLE, EMPTY_SET (sets as arrays)
      case 0x6c: case 0x74: case 0x91: s.push(this.popMark()); break; // LIST, TUPLE, FROZENSET
      case 0x85: s.push([this.pop()]); break; // TUPLE1
      case 0x86: { const b = this.pop(); s.push([this.pop(), b]); break; } // TUPLE2
      case 0x87: { const c = this.pop(); const b = this.pop(); s.push([this.pop(), b, c]); break; } // TUPLE3
      case 0x61: { const v = this.pop(); this.listTarget().push(v); break; } // APPEND
      case 0x65: case 0x90: { const items = this.popMark(); this.listTarget().push(...items); break; } // APPENDS, ADDITEMS
      case 0x64: { const items = this.popMark(); s.push(new Map()); setPairs(this.dictTarget(), items); break; } // DICT
      case 0x73: { const v = this.pop(); const k = this.pop(); this.dictTarget().set(k, v); break; } // SETITEM
      case 0x75: { const items = this.popMark(); setPairs(this.dictTarget(), items); break; } // SETITEMS
      default: return false;
    }
    return true;
  }

  /** Stack, memo, class and object opcodes; returns true on STOP. */
  step(op: number): boolean {
    if (this.literal(op) || this.container(op)) return false;
    const r = this.r;
    const s = this.stack;
    switch (op) {
      case 0x80: r.u8(); break; // PROTO
      case 0x95: r.u64(); break; // FRAME: framing is transparent to a whole-buffer reader
      case 0x2e: return true; // STOP
      case 0x28: this.marks.push(s.length); break; // MARK
      case 0x30: this.pop(); break; // POP
      case 0x31: this.popMark(); break; // POP_MARK
      case 0x32: s.push(this.top()); break; // DUP
      case 0x63: { const module = r.line(); this.pushGlobal(module, r.line()); break; } // GLOBAL
      case 0x93: { const name = String(this.pop()); this.pushGlobal(String(this.pop()), name); break; } // STACK_GLOBAL
      case 0x52: case 0x81: { const args = this.pop(); s.push(this.reduce(this.pop(), args)); break; } // REDUCE, NEWOBJ
      case 0x92: { this.pop(); const args = this.pop(); s.push(this.reduce(this.pop(), args)); break; } // NEWOBJ_EX
      case 0x62: this.build(this.pop()); break; // BUILD
      case 0x51: s.push(this.hooks.persistentLoad(this.pop())); break; // BINPERSID
      case 0x71: this.memo.set(r.u8(), this.top()); break; // BINPUT
      case 0x72: this.memo.set(r.u32(), this.top()); break; // LONG_BINPUT
      case 0x94: this.memo.set(this.memo.size, this.top()); break; // MEMOIZE
      case 0x70: this.memo.set(Number(r.line()), this.top()); break; // PUT
      case 0x68: s.push(this.get(r.u8())); break; // BINGET
      case 0x6a: s.push(this.get(r.u32())); break; // LONG_BINGET
      case 0x67: s.push(this.get(Number(r.line()))); break; // GET
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${r.pos - 1}`);
    }
    return false;
  }

  run(): unknown {
    for (;;) {
      if (this.step(this.r.u8())) break;
    }
    if (this.stack.length !== 1) throw new PickleError(`pickle ended with ${this.stack.length} values on the stack`);
    return this.stack[0];
  }
}

/**
 * Runs one pickle starting at `start`; returns its value and the byte after its STOP (the legacy
 * torch.save format writes several pickles back to back). Throws PickleError on malformed input.
 */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, start = 0): { value: unknown; end: number } {
  const reader = new Reader(bytes, start);
  const value = new Machine(reader, hooks).run();
  return { value, end: reader.pos };
}
