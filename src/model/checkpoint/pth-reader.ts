// Reads PyTorch `torch.save` checkpoints (zip format and the pre-1.6 legacy stream) into float32
// state dicts in TypeScript, so official DINO weights (method.md §1) convert without Python.
import { unzipSync } from 'fflate';
import type { NamedTensor, StateDict } from '../vit/vit-onnx';
import { decodeToFloat32, DTYPE_BYTES, type Dtype } from './dtypes';
import { PickleError, PyGlobal, unpickle, type PickleHooks } from './pickle';
import { selectStateDict } from './state-dict';

const STORAGE_DTYPES: Record<string, Dtype> = {
  FloatStorage: 'f32', HalfStorage: 'f16', BFloat16Storage: 'bf16', DoubleStorage: 'f64', LongStorage: 'i64',
  IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};

/** torch.save's legacy stream starts with this number, pickled. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: Dtype,
    /** Elements, not bytes. */
    readonly numel: number,
  ) {}
}

/** A tensor as torch pickles it: a view (offset, shape, strides in elements) into a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

export function notCheckpoint(why: string): Error {
  return new Error(`not a PyTorch checkpoint: ${why}`);
}

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new PickleError(`${what} is not a tuple of non-negative ints`);
  }
  return v as number[];
}

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (!(storage instanceof StorageRef)) throw new PickleError('_rebuild_tensor got no storage');
  if (typeof offset !== 'number') throw new PickleError('_rebuild_tensor got a non-integer offset');
  const size = intList(shape, 'tensor size');
  const strides = intList(stride, 'tensor stride');
  if (size.length !== strides.length) throw new PickleError(`tensor size [${size}] and stride [${strides}] differ in rank`);
  return new TensorRef(storage, offset, size, strides);
}

/** Hooks that turn torch's pickled objects into StorageRef / TensorRef / Map; others stay opaque. */
function torchHooks(storages: Map<string, StorageRef>): PickleHooks {
  const behaviour: Record<string, (args: unknown[]) => unknown> = {
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    // Parameters wrap a tensor; requires_grad and hooks are irrelevant to inference.
    'torch._utils._rebuild_parameter': (args) => args[0],
    'torch._utils._rebuild_parameter_with_state': (args) => args[0],
    // Tensors carrying Python attributes: (rebuild function, subclass, its args, attribute state).
    'torch._tensor._rebuild_from_type_v2': ([fn, , args]) =>
      fn instanceof PyGlobal && fn.call && Array.isArray(args) ? fn.call(args) : undefined,
    'collections.OrderedDict': () => new Map(),
    'builtins.set': (args) => (Array.isArray(args[0]) ? args[0] : []),
  };
  return {
    findClass: (module, name) => new PyGlobal(module, name, behaviour[`${module}.${name}`]),
    persistentLoad(pid) {
      // ('storage', <torch.XStorage>, key, location, numel[, view_metadata])
      if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof PyGlobal)) {
        throw new PickleError('persistent id is not a torch storage reference');
      }
      const dtype = STORAGE_DTYPES[pid[1].name];
      if (!dtype) throw new PickleError(`unsupported storage type ${pid[1].qualified}`);
      const key = String(pid[2]);
      const ref = storages.get(key) ?? new StorageRef(key, dtype, Number(pid[4]));
      storages.set(key, ref);
      return ref;
    },
  };
}

interface LoadedCheckpoint {
  root: unknown;
  /** Raw little-endian bytes of one storage. */
  storageBytes(ref: StorageRef): Uint8Array;
}

function readZip(bytes: Uint8Array): LoadedCheckpoint {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw notCheckpoint(`the zip archive cannot be read (${(err as Error).message}); the file may be truncated`);
  }
  // The archive's top folder is named after the file at save time, so it is not always "archive".
  const pkl = Object.keys(files).find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) throw notCheckpoint('the zip archive has no <name>/data.pkl (is it a torch.save file?)');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const storages = new Map<string, StorageRef>();
  const root = unpickle(files[pkl], torchHooks(storages)).value;
  return {
    root,
    storageBytes(ref) {
      const data = files[`${prefix}data/${ref.key}`];
      if (!data) throw notCheckpoint(`storage ${ref.key} is missing from the archive`);
      return data;
    },
  };
}

function readLegacy(bytes: Uint8Array): LoadedCheckpoint {
  const plain: PickleHooks = {
    findClass: (module, name) => new PyGlobal(module, name),
    persistentLoad: () => {
      throw new PickleError('unexpected persistent id in the legacy header');
    },
  };
  const magic = unpickle(bytes, plain, 0);
  if (magic.value !== LEGACY_MAGIC) throw notCheckpoint('the pickle stream does not start with torch\'s magic number');
  const version = unpickle(bytes, plain, magic.end);
  const sysInfo = unpickle(bytes, plain, version.end);
  const storages = new Map<string, StorageRef>();
  const main = unpickle(bytes, torchHooks(storages), sysInfo.end);
  const keys = unpickle(bytes, plain, main.end);
  if (!Array.isArray(keys.value)) throw notCheckpoint('the legacy storage key list is missing');
  // Storages follow in key order, each as an int64 element count then the raw elements.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const data = new Map<string, Uint8Array>();
  let pos = keys.end;
  for (const key of keys.value.map(String)) {
    const ref = storages.get(key);
    if (!ref) throw notCheckpoint(`legacy storage ${key} is not referenced by any tensor`);
    if (pos + 8 > bytes.length) throw notCheckpoint(`the file ends before storage ${key} (truncated?)`);
    const numel = Number(view.getBigInt64(pos, true));
    const end = pos + 8 + numel * DTYPE_BYTES[ref.dtype];
    if (end > bytes.length) throw notCheckpoint(`the file ends inside storage ${key} (truncated?)`);
    data.set(key, bytes.subarray(pos + 8, end));
    pos = end;
  }
  return {
    root: main.value,
    storageBytes(ref) {
      const d = data.get(ref.key);
      if (!d) throw notCheckpoint(`storage ${ref.key} is missing`);
      return d;
    },
  };
}

function isRowMajor(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Copies a strided view out of its storage into a fresh row-major Float32Array. */
export function gatherStrided(storage: Float32Array, t: Pick<TensorRef, 'offset' | 'shape' | 'stride'>): Float32Array {
  const numel = t.shape.reduce((a, b) => a * b, 1);
  const last = t.offset + t.shape.reduce((acc, n, d) => acc + (n > 0 ? (n - 1) * t.stride[d] : 0), 0);
  if (numel > 0 && (t.offset < 0 || last >= storage.length)) {
    throw notCheckpoint(`a tensor view reaches element ${last} of a storage holding ${storage.length}`);
  }
  if (isRowMajor(t.shape, t.stride)) {
    // The common case (a tensor owning its whole storage) needs no copy.
    return t.offset === 0 && numel === storage.length ? storage : storage.slice(t.offset, t.offset + numel);
  }
  const out = new Float32Array(numel);
  const rank = t.shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = t.offset;
  for (let i = 0; i < numel; i++) {
    out[i] = storage[src];
    // Odometer over the output's row-major order, moving the source by the view's strides.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += t.stride[d];
      if (idx[d] < t.shape[d]) break;
      src -= idx[d] * t.stride[d];
      idx[d] = 0;
    }
  }
  return out;
}

function materialise(ckpt: LoadedCheckpoint, refs: Map<string, TensorRef>): StateDict {
  const floats = new Map<string, Float32Array>();
  const sd: StateDict = new Map();
  for (const [name, t] of refs) {
    let storage = floats.get(t.storage.key);
    if (!storage) {
      storage = decodeToFloat32(ckpt.storageBytes(t.storage), t.storage.dtype, t.storage.numel);
      floats.set(t.storage.key, storage);
    }
    const tensor: NamedTensor = { data: gatherStrided(storage, t), shape: [...t.shape] };
    sd.set(name, tensor);
  }
  return sd;
}

function firstBytesHex(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Parses the checkpoint and returns the raw unpickled object (tensors as TensorRef) plus storage access. */
export function loadPth(bytes: Uint8Array): LoadedCheckpoint {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const isPickle = bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5;
  if (!isZip && !isPickle) {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
    const html = head.startsWith('<!doctype') || head.startsWith('<html') ? ' (it looks like an HTML page)' : '';
    throw notCheckpoint(`neither a zip archive nor a pickle stream${html}; first bytes ${firstBytesHex(bytes) || '(empty file)'}`);
  }
  try {
    return isZip ? readZip(bytes) : readLegacy(bytes);
  } catch (err) {
    if (err instanceof PickleError) throw notCheckpoint(`${err.message} (the file may be truncated or corrupt)`);
    throw err;
  }
}

/**
 * Reads a torch.save file into a float32 state dict (half, bfloat16, double and integer tensors
 * converted). Finds the weights when nested under teacher/student/state_dict/model and strips
 * `module.` / `backbone.` prefixes. Throws "not a PyTorch checkpoint: …" for other input.
 */
export function readPth(bytes: Uint8Array): StateDict {
  const ckpt = loadPth(bytes);
  const refs = selectStateDict(ckpt.root, (v): v is TensorRef => v instanceof TensorRef);
  return materialise(ckpt, refs);
}
