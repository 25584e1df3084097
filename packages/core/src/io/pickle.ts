import { FormatError } from './errors';

/**
 * A Python object the unpickler does not model: an allowed class or function applied to arguments.
 * Kept only so that harmless metadata (e.g. a checkpoint's `meta`) can be read past without executing it.
 */
export class OpaqueObject {
  /** Python `__setstate__` argument, if the pickle applied one (BUILD). */
  state: unknown = undefined;

  constructor(
    /** Dotted Python name of the class or function, e.g. `argparse.Namespace`. */
    readonly qualifiedName: string,
    readonly args: readonly unknown[],
  ) {}
}

/** A pickled callable (REDUCE, NEWOBJ): receives the argument tuple, returns the object. */
export type PickleCallable = (args: readonly unknown[]) => unknown;

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** File path or label used in error messages. */
  source: string;
  /** Byte offset at which the pickle starts (several pickles may follow one another). Default 0. */
  offset?: number;
  /**
   * The value a `module.name` global stands for (usually a {@link PickleCallable}), or `undefined` to refuse it.
   * Nothing is ever imported or executed: only what this returns can be built.
   */
  resolveGlobal: (module: string, name: string) => unknown;
  /** Resolves a persistent id (BINPERSID), e.g. a PyTorch storage reference. */
  persistentLoad?: (pid: unknown) => unknown;
}

/**
 * Python values map to: `None` -> null, bool -> boolean, int -> number (bigint beyond 2^53), float -> number,
 * str -> string, bytes -> Uint8Array, list -> array, tuple -> frozen array, dict -> Map, set -> Set.
 */
export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode. */
  end: number;
}

/** An `OpaqueObject` factory, for globals that are safe to represent without understanding them. */
export function opaqueGlobal(qualifiedName: string): PickleCallable {
  return (args) => new OpaqueObject(qualifiedName, args);
}

class Reader {
  readonly view: DataView;
  pos: number;
  opcodeAt = 0;

  constructor(
    readonly bytes: Uint8Array,
    offset: number,
    readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = offset;
  }

  fail(problem: string): never {
    throw new FormatError(this.source, `${problem} (pickle opcode at offset ${this.opcodeAt})`);
  }

  take(length: number): number {
    if (length > this.bytes.length - this.pos) {
      throw new FormatError(this.source, `truncated: pickle data ends at offset ${this.bytes.length}`);
    }
    const at = this.pos;
    this.pos += length;
    return at;
  }

  u8(): number {
    return this.bytes[this.take(1)]!;
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }

  u64(): number {
    const value = this.view.getBigUint64(this.take(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${value} too large`);
    return Number(value);
  }

  f64be(): number {
    return this.view.getFloat64(this.take(8), false);
  }

  raw(length: number): Uint8Array {
    const at = this.take(length);
    return new Uint8Array(this.bytes.subarray(at, at + length));
  }

  utf8(length: number): string {
    const at = this.take(length);
    return new TextDecoder().decode(this.bytes.subarray(at, at + length));
  }

  line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new FormatError(this.source, 'truncated: pickle data ends inside a text line');
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /** Little-endian two's complement integer (LONG1/LONG4). */
  long(length: number): number | bigint {
    const at = this.take(length);
    if (length === 0) return 0;
    let value = 0n;
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]!);
    if (this.bytes[at + length - 1]! & 0x80) value -= 1n << BigInt(8 * length);
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return safe ? Number(value) : value;
  }
}

function isMutableList(value: unknown): value is unknown[] {
  return Array.isArray(value) && !Object.isFrozen(value);
}

/**
 * Unpickles one Python pickle (protocols 2 to 5) without executing anything: globals are looked up through
 * `options.resolveGlobal` and anything it refuses is an error, as is any opcode outside the subset that
 * `torch.save` and plain data use.
 * @throws FormatError naming the source and the problem (unsupported opcode, refused global, truncation...).
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): UnpickleResult {
  const { source, resolveGlobal, persistentLoad } = options;
  const reader: Reader = new Reader(bytes, options.offset ?? 0, source);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();

  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && stack.length === marks.at(-1)))
      reader.fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) reader.fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) reader.fail('MARK missing');
    return stack.splice(mark);
  };
  const global = (module: string, name: string): unknown => {
    const value = resolveGlobal(module, name);
    if (value === undefined) reader.fail(`refusing to load global ${module}.${name}`);
    return value;
  };
  const call = (callable: unknown, args: unknown): unknown => {
    if (typeof callable !== 'function' || !Array.isArray(args))
      reader.fail('REDUCE/NEWOBJ on a non-callable');
    return (callable as PickleCallable)(args);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map) || items.length % 2 !== 0) reader.fail('SETITEM(S) on a non-dict');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const memoGet = (key: number): unknown => {
    if (!memo.has(key)) reader.fail(`memo key ${key} missing`);
    return memo.get(key);
  };

  for (;;) {
    reader.opcodeAt = reader.pos;
    const opcode = reader.u8();
    switch (opcode) {
      case 0x80: // PROTO
        reader.u8();
        break;
      case 0x95: // FRAME: framing is only a read-ahead hint
        reader.u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) reader.fail('STOP with an unbalanced stack');
        return { value: stack[0], end: reader.pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(reader.i32());
        break;
      case 0x4b: // BININT1
        stack.push(reader.u8());
        break;
      case 0x4d: // BININT2
        stack.push(reader.u16());
        break;
      case 0x8a: // LONG1
        stack.push(reader.long(reader.u8()));
        break;
      case 0x8b: // LONG4
        stack.push(reader.long(reader.u32()));
        break;
      case 0x47: // BINFLOAT
        stack.push(reader.f64be());
        break;
      case 0x58: // BINUNICODE
        stack.push(reader.utf8(reader.u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(reader.utf8(reader.u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(reader.utf8(reader.u64()));
        break;
      case 0x42: // BINBYTES
        stack.push(reader.raw(reader.u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(reader.raw(reader.u8()));
        break;
      case 0x8e: // BINBYTES8
        stack.push(reader.raw(reader.u64()));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const items = Array.from({ length: opcode - 0x84 }, pop).reverse();
        stack.push(Object.freeze(items));
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        const list = top();
        if (!isMutableList(list)) reader.fail('APPEND on a non-list');
        list.push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!isMutableList(list)) reader.fail('APPENDS on a non-list');
        list.push(...items);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) reader.fail('ADDITEMS on a non-set');
        for (const item of items) set.add(item);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x68: // BINGET
        stack.push(memoGet(reader.u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(reader.u32()));
        break;
      case 0x71: // BINPUT
        memo.set(reader.u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(reader.u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x63: {
        // GLOBAL
        const module = reader.line();
        stack.push(global(module, reader.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          reader.fail('STACK_GLOBAL needs two strings');
        stack.push(global(module, name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ: cls.__new__(cls, *args) builds the same placeholder as calling cls
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const target = top();
        if (target instanceof OpaqueObject) target.state = state;
        // Instance attributes of a dict (such as a state dict's `_metadata`) carry no tensors: dropped.
        else if (!(target instanceof Map)) reader.fail('BUILD on an unsupported object');
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!persistentLoad) reader.fail('persistent id found but no persistent loader given');
        stack.push(persistentLoad(pid));
        break;
      }
      default:
        throw new FormatError(
          source,
          `unsupported pickle opcode 0x${opcode.toString(16).padStart(2, '0')} at offset ${reader.opcodeAt}`,
        );
    }
  }
}
