import { FormatError } from './errors';
import { bytesPerElement, DTYPE_ARRAY, type NdArray, type NdDType, ndarray, sizeOf } from './ndarray';
import { OpaqueObject, opaqueGlobal, type PickleCallable, unpickle } from './pickle';
import { readZip } from './zip';

/** A slice of a PyTorch storage: `numel` elements of `dtype` starting at element `offset` of storage `key`. */
export interface StorageRef {
  key: string;
  dtype: NdDType;
  offset: number;
  numel: number;
}

/** A tensor as pickled: a strided view into a storage whose bytes may only be known later (legacy format). */
export interface TensorRef {
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

class StorageType {
  constructor(readonly dtype: NdDType) {}
}

const STORAGE_DTYPES: Record<string, NdDType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Globals that only ever appear in checkpoint metadata; they become opaque placeholders. */
const METADATA_GLOBALS = new Set([
  'builtins.slice',
  'argparse.Namespace',
  '_codecs.encode',
  'numpy.dtype',
  'numpy.ndarray',
  'numpy.core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray._reconstruct',
  'numpy._core.multiarray.scalar',
]);

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;

function isIntList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => Number.isInteger(item));
}

function rebuildTensor(args: readonly unknown[], source: string): TensorRef {
  const [storage, offset, shape, stride] = args;
  if (
    !(storage && typeof storage === 'object' && 'key' in storage) ||
    !Number.isInteger(offset) ||
    !isIntList(shape) ||
    !isIntList(stride) ||
    shape.length !== stride.length
  ) {
    throw new FormatError(source, '_rebuild_tensor_v2 called with unexpected arguments');
  }
  return { storage: storage as StorageRef, offset: offset as number, shape: [...shape], stride: [...stride] };
}

function rebuildParameter(args: readonly unknown[], source: string): TensorRef {
  const data = args[0];
  if (!(data && typeof data === 'object' && 'storage' in data)) {
    throw new FormatError(source, '_rebuild_parameter called on a non-tensor');
  }
  return data as TensorRef;
}

function torchGlobals(source: string): (module: string, name: string) => unknown {
  const callables: Record<string, PickleCallable> = {
    'collections.OrderedDict': () => new Map(),
    'builtins.set': (args) => new Set((args[0] as Iterable<unknown> | undefined) ?? []),
    'builtins.frozenset': (args) => new Set((args[0] as Iterable<unknown> | undefined) ?? []),
    'torch._utils._rebuild_tensor_v2': (args) => rebuildTensor(args, source),
    'torch._utils._rebuild_parameter': (args) => rebuildParameter(args, source),
  };
  return (module, name) => {
    const qualified = `${module}.${name}`;
    if (module === 'torch' && name in STORAGE_DTYPES) return new StorageType(STORAGE_DTYPES[name]!);
    if (qualified in callables) return callables[qualified];
    if (METADATA_GLOBALS.has(qualified)) return opaqueGlobal(qualified);
    return undefined;
  };
}

function storageTypeOf(pid: readonly unknown[], source: string): StorageType {
  const type = pid[1];
  if (pid[0] !== 'storage' || !(type instanceof StorageType) || typeof pid[2] !== 'string') {
    throw new FormatError(source, `unsupported persistent id ${String(pid[0])}`);
  }
  return type;
}

type Indexable = { [index: number]: number | bigint };

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && stride[axis] !== expected) return false;
    expected *= shape[axis]!;
  }
  return true;
}

/**
 * Copies a strided tensor view out of its storage bytes into a new C-order array (`name` labels errors).
 * Storage bytes are little-endian, as on every platform JS runs on.
 * @throws FormatError when the storage is too short or the size/stride/offset reach outside it.
 */
export function materializeTensor(
  ref: TensorRef,
  storageBytes: Uint8Array,
  name: string,
  source: string,
): NdArray {
  const { storage, shape, stride, offset } = ref;
  const elementSize = bytesPerElement(storage.dtype);
  const available = storageBytes.length / elementSize - storage.offset;
  if (available < storage.numel) {
    throw new FormatError(
      source,
      `storage ${storage.key} of tensor ${name} has ${storageBytes.length} bytes, needs ${(storage.offset + storage.numel) * elementSize}`,
    );
  }
  const size = sizeOf(shape);
  const TypedArray = DTYPE_ARRAY[storage.dtype];
  if (size === 0) return ndarray(storage.dtype, shape, new TypedArray(0));
  let last = offset;
  shape.forEach((dim, axis) => {
    last += (dim - 1) * stride[axis]!;
  });
  if (
    offset < 0 ||
    stride.some((step) => step < 0) ||
    shape.some((dim) => dim < 0) ||
    last >= storage.numel
  ) {
    throw new FormatError(
      source,
      `tensor ${name}: size [${shape.join(', ')}], stride [${stride.join(', ')}] and offset ${offset} reach element ${last} outside storage ${storage.key} of ${storage.numel} elements`,
    );
  }
  const start = (storage.offset + offset) * elementSize;
  // Copied into a fresh buffer for alignment (Node Buffers are views into a shared pool).
  const spanBytes = new Uint8Array(storageBytes.subarray(start, start + (last - offset + 1) * elementSize));
  const span = new TypedArray(spanBytes.buffer);
  if (isContiguous(shape, stride)) return ndarray(storage.dtype, shape, span);
  const from = span as Indexable;
  const data = new TypedArray(size);
  const to = data as Indexable;
  const index = shape.map(() => 0);
  let at = 0;
  for (let i = 0; i < size; i++) {
    to[i] = from[at]!;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      at += stride[axis]!;
      if (++index[axis]! < shape[axis]!) break;
      at -= stride[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return ndarray(storage.dtype, shape, data);
}

interface PickledCheckpoint {
  root: unknown;
  storageBytes: (key: string) => Uint8Array | undefined;
}

function readZipCheckpoint(bytes: Uint8Array, source: string): PickledCheckpoint {
  const files = readZip(bytes, source);
  const pklName = [...files.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pklName)
    throw new FormatError(source, 'not a PyTorch checkpoint: zip archive has no <archive>/data.pkl');
  const prefix = pklName.slice(0, -'data.pkl'.length);
  const byteorder = files.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder) !== 'little') {
    throw new FormatError(source, 'big-endian checkpoints are not supported');
  }
  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid)) throw new FormatError(source, 'persistent id is not a tuple');
    const { dtype } = storageTypeOf(pid, source);
    const numel = pid[4];
    if (!Number.isInteger(numel)) throw new FormatError(source, `storage ${pid[2]} has no element count`);
    return { key: pid[2] as string, dtype, offset: 0, numel: numel as number };
  };
  const { value } = unpickle(files.get(pklName)!, {
    source,
    resolveGlobal: torchGlobals(source),
    persistentLoad,
  });
  return { root: value, storageBytes: (key) => files.get(`${prefix}data/${key}`) };
}

function readLegacyCheckpoint(bytes: Uint8Array, source: string): PickledCheckpoint {
  const noGlobals = () => undefined;
  let at = 0;
  const next = (persistentLoad?: (pid: unknown) => unknown): unknown => {
    const result = unpickle(bytes, {
      source,
      offset: at,
      resolveGlobal: persistentLoad ? torchGlobals(source) : noGlobals,
      ...(persistentLoad ? { persistentLoad } : {}),
    });
    at = result.end;
    return result.value;
  };
  if (next() !== LEGACY_MAGIC) throw new FormatError(source, 'not a PyTorch checkpoint: wrong magic number');
  const protocol = next();
  if (protocol !== LEGACY_PROTOCOL_VERSION) {
    throw new FormatError(source, `unsupported legacy checkpoint protocol version ${String(protocol)}`);
  }
  const sysInfo = next();
  if (sysInfo instanceof Map && sysInfo.get('little_endian') === false) {
    throw new FormatError(source, 'big-endian checkpoints are not supported');
  }
  const roots = new Map<string, { dtype: NdDType; numel: number }>();
  const root = next((pid) => {
    if (!Array.isArray(pid)) throw new FormatError(source, 'persistent id is not a tuple');
    const { dtype } = storageTypeOf(pid, source);
    const [, , key, , numel, view] = pid as [unknown, unknown, string, unknown, unknown, unknown];
    if (!Number.isInteger(numel)) throw new FormatError(source, `storage ${key} has no element count`);
    roots.set(key, { dtype, numel: numel as number });
    if (Array.isArray(view)) {
      const [, viewOffset, viewSize] = view;
      if (!Number.isInteger(viewOffset) || !Number.isInteger(viewSize)) {
        throw new FormatError(source, `storage ${key} has malformed view metadata`);
      }
      return { key, dtype, offset: viewOffset as number, numel: viewSize as number };
    }
    return { key, dtype, offset: 0, numel: numel as number };
  });
  const keys = next();
  if (!Array.isArray(keys)) throw new FormatError(source, 'storage key list missing');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, Uint8Array>();
  for (const key of keys) {
    const storage = roots.get(key);
    if (!storage) throw new FormatError(source, `storage key ${String(key)} is not used by any tensor`);
    if (at + 8 > bytes.length) throw new FormatError(source, `truncated: storage ${key} missing`);
    const numel = Number(view.getBigInt64(at, true));
    const byteLength = numel * bytesPerElement(storage.dtype);
    if (numel !== storage.numel || at + 8 + byteLength > bytes.length) {
      throw new FormatError(source, `truncated: storage ${key} (${numel} elements) extends past end of file`);
    }
    storages.set(key, bytes.subarray(at + 8, at + 8 + byteLength));
    at += 8 + byteLength;
  }
  return { root, storageBytes: (key) => storages.get(key) };
}

function isTensorRef(value: unknown): value is TensorRef {
  return typeof value === 'object' && value !== null && 'storage' in value && 'stride' in value;
}

/** State dict key in the official layout: without DataParallel's `module.` and MMPose's `backbone.`/`head.`. */
function canonicalKey(key: string): string {
  return key.replace(/^module\./, '').replace(/^(backbone|head|keypoint_head)\./, '');
}

function findStateDict(root: unknown, source: string): Map<unknown, unknown> {
  if (!(root instanceof Map)) throw new FormatError(source, 'checkpoint does not hold a dict');
  for (const wrapper of ['state_dict', 'model']) {
    const inner = root.get(wrapper);
    if (inner instanceof Map) return inner;
  }
  return root;
}

/**
 * Reads the tensors of a PyTorch checkpoint (`torch.save` output, zip format of PyTorch >= 1.6 or the legacy
 * format) without executing any of it. Checkpoints wrapping the weights as `state_dict` or `model` (MMPose,
 * training scripts) are unwrapped, `module.` prefixes (DataParallel) and MMPose's `backbone.`, `head.` and
 * `keypoint_head.` prefixes are removed. Every tensor is copied to a C-order array of its own dtype.
 * @param source - file path or label used in error messages.
 * @throws FormatError naming `source` and the problem for anything that is not a well-formed state dict.
 */
export function readStateDict(bytes: Uint8Array, source: string): Map<string, NdArray> {
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const isPickle = bytes[0] === 0x80;
  if (!isZip && !isPickle) {
    throw new FormatError(source, 'not a PyTorch checkpoint: neither a zip archive nor a legacy pickle');
  }
  const { root, storageBytes } = isZip
    ? readZipCheckpoint(bytes, source)
    : readLegacyCheckpoint(bytes, source);
  const tensors = new Map<string, NdArray>();
  for (const [key, value] of findStateDict(root, source)) {
    if (typeof key !== 'string') throw new FormatError(source, 'state dict has a non-string key');
    if (!isTensorRef(value)) {
      const kind = value instanceof OpaqueObject ? value.qualifiedName : typeof value;
      throw new FormatError(source, `state dict entry ${key} is not a tensor (${kind})`);
    }
    const name = canonicalKey(key);
    if (tensors.has(name)) throw new FormatError(source, `state dict has two entries named ${name}`);
    const bytesOfStorage = storageBytes(value.storage.key);
    if (!bytesOfStorage)
      throw new FormatError(source, `storage ${value.storage.key} of tensor ${key} is missing`);
    tensors.set(name, materializeTensor(value, bytesOfStorage, key, source));
  }
  return tensors;
}
