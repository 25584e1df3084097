import { type NdArray, ndarray, toFloat32 } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { hwioToOihw, oihwToHwio, type StateEntry } from './state';

/** A network whose state is keyed by PyTorch state-dict names. */
export interface HasState {
  readonly state: { readonly entries: ReadonlyMap<string, StateEntry> };
}

/** How many offending keys of each kind the error message names. */
const SHOWN = 5;

/** Thrown by {@link loadStateDict}: carries every missing key, unexpected key and shape mismatch; the message names the first few. */
export class StateDictError extends Error {
  override name = 'StateDictError';

  constructor(
    readonly missing: string[],
    readonly unexpected: string[],
    readonly mismatched: { key: string; expected: readonly number[]; got: readonly number[] }[],
  ) {
    const examples = <T>(items: T[], show: (item: T) => string) =>
      items.slice(0, SHOWN).map(show).join(', ') +
      (items.length > SHOWN ? `, ... (${items.length} in all)` : '');
    const lines: string[] = [];
    if (missing.length > 0) lines.push(`missing keys: ${examples(missing, (k) => k)}`);
    if (unexpected.length > 0) lines.push(`unexpected keys: ${examples(unexpected, (k) => k)}`);
    if (mismatched.length > 0) {
      const show = (m: (typeof mismatched)[number]) =>
        `${m.key} (model [${m.expected.join(', ')}], checkpoint [${m.got.join(', ')}])`;
      lines.push(`shape mismatches: ${examples(mismatched, show)}`);
    }
    super(`state dict does not fit the model:\n  ${lines.join('\n  ')}`);
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Copies a PyTorch state dict (as read by `readStateDict` of `@hrnet/core`, NCHW layout) into a network.
 * All keys must match exactly in name and shape; otherwise nothing is changed and a {@link StateDictError}
 * lists every problem. `num_batches_tracked` may be absent (older checkpoints).
 */
export function loadStateDict(model: HasState, tensors: ReadonlyMap<string, NdArray>): void {
  const entries = model.state.entries;
  const missing = [...entries.keys()].filter((k) => !tensors.has(k) && !k.endsWith('.num_batches_tracked'));
  const unexpected = [...tensors.keys()].filter((k) => !entries.has(k));
  const mismatched = [...tensors]
    .filter(([k, t]) => entries.has(k) && !sameShape(entries.get(k)!.torchShape, t.shape))
    .map(([key, t]) => ({ key, expected: entries.get(key)!.torchShape, got: t.shape }));
  if (missing.length > 0 || unexpected.length > 0 || mismatched.length > 0) {
    throw new StateDictError(missing, unexpected, mismatched);
  }
  for (const [key, entry] of entries) {
    const tensor = tensors.get(key);
    if (tensor === undefined) continue;
    const values = toFloat32(tensor);
    const data = entry.layout === 'conv' ? oihwToHwio(values, entry.torchShape) : values;
    tf.tidy(() => entry.variable.assign(tf.tensor(data, entry.variable.shape, entry.variable.dtype)));
  }
}

/**
 * The network's state as a PyTorch state dict: NCHW (OIHW) layout, float32, `num_batches_tracked` as int64,
 * in PyTorch's key order. Reads every variable from the backend.
 */
export function stateDict(model: HasState): Map<string, NdArray> {
  const out = new Map<string, NdArray>();
  for (const [key, entry] of model.state.entries) {
    const shape = [...entry.torchShape];
    if (entry.torchDType === 'int64') {
      const values = entry.variable.dataSync();
      out.set(
        key,
        ndarray(
          'int64',
          shape,
          BigInt64Array.from(values, (v) => BigInt(v)),
        ),
      );
      continue;
    }
    const values = entry.variable.dataSync() as Float32Array;
    const data = entry.layout === 'conv' ? hwioToOihw(values, shape) : Float32Array.from(values);
    out.set(key, ndarray('float32', shape, data));
  }
  return out;
}
