import { FormatError } from '@hrnet/core';

/** One ncnn layer parameter: an int, a float, or an array (ids written as `-23300 - id` in the file). */
export type NcnnParamValue = number | readonly number[];

/** One layer line of an ncnn `.param` file. */
export interface NcnnLayer {
  /** Layer type, e.g. `Convolution`. */
  readonly type: string;
  /** Layer name (unique in the file). */
  readonly name: string;
  /** Names of the blobs the layer reads. */
  readonly inputs: readonly string[];
  /** Names of the blobs the layer writes. */
  readonly outputs: readonly string[];
  /** Parameters by id; array ids are stored without the `-23300` offset, as ncnn's ParamDict does. */
  readonly params: ReadonlyMap<number, NcnnParamValue>;
  /** 1-based line number in the `.param` text, for error messages. */
  readonly line: number;
}

/** A parsed ncnn graph: layers in file order, which ncnn guarantees is a topological order. */
export interface NcnnGraph {
  /** File path or label the text came from. */
  readonly source: string;
  readonly layers: readonly NcnnLayer[];
}

const MAGIC = '7767517';
const ARRAY_ID_OFFSET = -23300;

/** ncnn treats a value as float when it contains a '.' or an 'e' (see `vstr_is_float` in paramdict.cpp). */
function parseNumber(token: string, where: string): number {
  const value = Number(token);
  if (token === '' || !Number.isFinite(value)) throw new Error(`${where}: '${token}' is not a number`);
  if (!/[.eE]/.test(token) && !Number.isInteger(value))
    throw new Error(`${where}: '${token}' is not an integer`);
  return value;
}

function parseParam(token: string, where: string): [number, NcnnParamValue] {
  const eq = token.indexOf('=');
  if (eq <= 0) throw new Error(`${where}: expected 'id=value', got '${token}'`);
  const id = parseNumber(token.slice(0, eq), where);
  const value = token.slice(eq + 1);
  if (value.startsWith('"')) throw new Error(`${where}: string parameter '${token}' is not supported`);
  if (id > ARRAY_ID_OFFSET) return [id, parseNumber(value, where)];
  const [count, ...items] = value.split(',');
  const n = parseNumber(count ?? '', where);
  if (items.length !== n)
    throw new Error(`${where}: array parameter '${token}' declares ${n} items, has ${items.length}`);
  return [ARRAY_ID_OFFSET - id, items.map((item) => parseNumber(item, where))];
}

/**
 * Parses the text of an ncnn `.param` file (the plain-text format starting with magic `7767517`).
 * Throws a `FormatError` naming `source` and the offending line on any malformed content.
 */
export function parseNcnnParam(text: string, source: string): NcnnGraph {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== MAGIC)
    throw new FormatError(
      source,
      `not an ncnn .param file (line 1 must be the magic ${MAGIC}, got '${lines[0]?.trim() ?? ''}')`,
    );
  const counts = (lines[1] ?? '').trim().split(/\s+/).map(Number);
  const [layerCount, blobCount] = counts;
  if (
    counts.length !== 2 ||
    layerCount === undefined ||
    blobCount === undefined ||
    !counts.every(Number.isInteger)
  )
    throw new FormatError(source, `line 2: expected '<layer count> <blob count>', got '${lines[1] ?? ''}'`);

  const layers: NcnnLayer[] = [];
  const blobs = new Set<string>();
  const layerNames = new Set<string>();
  for (let i = 2; i < lines.length; i++) {
    const tokens = (lines[i] ?? '')
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '');
    if (tokens.length === 0) continue;
    const line = i + 1;
    const where = `line ${line}`;
    try {
      const [type, name, nIn, nOut] = tokens;
      if (type === undefined || name === undefined || nIn === undefined || nOut === undefined)
        throw new Error(`${where}: expected 'Type Name numInputs numOutputs ...'`);
      const numInputs = parseNumber(nIn, where);
      const numOutputs = parseNumber(nOut, where);
      if (numInputs < 0 || numOutputs < 0 || tokens.length < 4 + numInputs + numOutputs)
        throw new Error(
          `${where}: layer '${name}' lists fewer blob names than its counts ${numInputs} ${numOutputs}`,
        );
      const inputs = tokens.slice(4, 4 + numInputs);
      const outputs = tokens.slice(4 + numInputs, 4 + numInputs + numOutputs);
      for (const blob of inputs)
        if (!blobs.has(blob))
          throw new Error(`${where}: layer '${name}' reads blob '${blob}' before any layer writes it`);
      for (const blob of outputs) blobs.add(blob);
      if (layerNames.has(name)) throw new Error(`${where}: duplicate layer name '${name}'`);
      layerNames.add(name);
      const params = new Map<number, NcnnParamValue>();
      for (const token of tokens.slice(4 + numInputs + numOutputs)) {
        const [id, value] = parseParam(token, `${where} (layer '${name}')`);
        params.set(id, value);
      }
      layers.push({ type, name, inputs, outputs, params, line });
    } catch (error) {
      throw new FormatError(source, (error as Error).message);
    }
  }
  if (layers.length !== layerCount)
    throw new FormatError(source, `header declares ${layerCount} layers, file has ${layers.length}`);
  if (blobs.size !== blobCount)
    throw new FormatError(source, `header declares ${blobCount} blobs, layers write ${blobs.size}`);
  return { source, layers };
}

/** Describes where a layer is, for error messages: `line 12 (Convolution 'Conv_3')`. */
export function layerLabel(layer: NcnnLayer): string {
  return `line ${layer.line} (${layer.type} '${layer.name}')`;
}

/** Reads an int/float parameter with ncnn's default when absent; an array there is a format error. */
export function scalarParam(graph: NcnnGraph, layer: NcnnLayer, id: number, fallback: number): number {
  const value = layer.params.get(id);
  if (value === undefined) return fallback;
  if (typeof value !== 'number')
    throw new FormatError(
      graph.source,
      `${layerLabel(layer)}: parameter ${id} must be a number, got an array`,
    );
  return value;
}

/** Reads an array parameter (`undefined` when absent); a scalar there is a format error. */
export function arrayParam(graph: NcnnGraph, layer: NcnnLayer, id: number): readonly number[] | undefined {
  const value = layer.params.get(id);
  if (value === undefined || typeof value !== 'number') return value;
  throw new FormatError(graph.source, `${layerLabel(layer)}: parameter ${id} must be an array, got ${value}`);
}

/** Rejects parameters this importer does not implement, so a model never runs with silently ignored settings. */
export function checkParams(graph: NcnnGraph, layer: NcnnLayer, supported: readonly number[]): void {
  for (const id of layer.params.keys())
    if (!supported.includes(id))
      throw new FormatError(
        graph.source,
        `${layerLabel(layer)}: parameter ${id} is not supported by this importer`,
      );
}
