import { describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import { OpaqueObject, opaqueGlobal, unpickle } from './pickle';

/** Builds pickle bytes from opcodes given as strings (latin1) and byte arrays. */
function pickle(...parts: (string | number[])[]): Uint8Array {
  return Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...part].map((char) => char.charCodeAt(0)) : part)),
  );
}

const noGlobals = () => undefined;

// {'a': [1, -2, 300, 2**40, 1.5, True, None, ('x', b'\x01')]} in protocol 2, memoized as Python writes it.
const SAMPLE = pickle(
  [0x80, 0x02],
  '}q\x00X\x01\x00\x00\x00aq\x01]q\x02(K\x01J\xfe\xff\xff\xffM\x2c\x01',
  [0x8a, 0x06, 0, 0, 0, 0, 0, 0x01],
  'G?\xf8\x00\x00\x00\x00\x00\x00',
  [0x88],
  'N',
  [0x8c, 0x01],
  'x',
  'C\x01\x01',
  [0x86],
  'es.',
);

describe('unpickle', () => {
  it('reads plain data', () => {
    const { value, end } = unpickle(SAMPLE, { source: 's', resolveGlobal: noGlobals });
    expect(end).toBe(SAMPLE.length);
    expect(value).toEqual(new Map([['a', [1, -2, 300, 2 ** 40, 1.5, true, null, ['x', Uint8Array.of(1)]]]]));
  });

  it('uses the memo, globals and persistent ids', () => {
    const bytes = pickle(
      [0x80, 0x04, 0x95, 8, 0, 0, 0, 0, 0, 0, 0],
      [0x8c, 0x0b],
      'collections',
      [0x94, 0x8c, 0x0b],
      'OrderedDict',
      [0x94, 0x93, 0x94],
      ')R',
      [0x94],
      'X\x01\x00\x00\x00k',
      'X\x03\x00\x00\x00pid',
      'Q',
      's',
      'h\x00',
      [0x8c, 0x04],
      'Meta',
      [0x93],
      ')',
      [0x81],
      'K\x05b',
      [0x86],
      '.',
    );
    const { value } = unpickle(bytes, {
      source: 's',
      resolveGlobal: (module, name) =>
        module === 'collections' && name === 'OrderedDict'
          ? () => new Map()
          : opaqueGlobal(`${module}.${name}`),
      persistentLoad: (pid) => `loaded ${String(pid)}`,
    });
    const [dict, meta] = value as [Map<string, string>, OpaqueObject];
    expect(dict).toEqual(new Map([['k', 'loaded pid']]));
    expect(meta).toBeInstanceOf(OpaqueObject);
    expect(meta.qualifiedName).toBe('collections.Meta');
    expect(meta.state).toBe(5);
  });

  it('refuses globals the resolver does not allow', () => {
    const bytes = pickle([0x80, 0x02], 'cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85R.');
    expect(() => unpickle(bytes, { source: 'evil.pkl', resolveGlobal: noGlobals })).toThrow(
      /^evil\.pkl: refusing to load global os\.system/,
    );
  });

  it('rejects an unsupported opcode with its offset', () => {
    const patched = SAMPLE.slice();
    patched[2] = 0x64; // EMPTY_DICT -> DICT (protocol 0), not implemented
    expect(() => unpickle(patched, { source: 'p.pkl', resolveGlobal: noGlobals })).toThrow(
      new FormatError('p.pkl', 'unsupported pickle opcode 0x64 at offset 2'),
    );
  });

  it('reports truncation and malformed structure', () => {
    expect(() => unpickle(SAMPLE.subarray(0, 20), { source: 't', resolveGlobal: noGlobals })).toThrow(
      't: truncated: pickle data ends at offset 20',
    );
    expect(() => unpickle(pickle([0x80, 0x02], 'h\x07.'), { source: 'm', resolveGlobal: noGlobals })).toThrow(
      'm: memo key 7 missing',
    );
    expect(() =>
      unpickle(pickle([0x80, 0x02], 'K\x01K\x02.'), { source: 'u', resolveGlobal: noGlobals }),
    ).toThrow('u: STOP with an unbalanced stack');
    expect(() => unpickle(pickle([0x80, 0x02], 'Na.'), { source: 'a', resolveGlobal: noGlobals })).toThrow(
      'a: stack underflow',
    );
  });
});
