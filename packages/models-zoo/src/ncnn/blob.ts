import * as tf from '@tensorflow/tfjs-core';

/**
 * An ncnn blob with a leading batch axis. ncnn blobs have no batch and are `w` (1-D), `h,w` (2-D) or
 * `c,h,w` (3-D, planar). A 3-D blob is kept channels-last (`[N, h, w, c]`) where convolutions want it and
 * planar (`[N, c, h, w]`) where Reshape/Permute need ncnn's memory order; each op converts only when needed.
 * 1-D and 2-D blobs are always `[N, w]` / `[N, h, w]`. (A type alias, not an interface, so that `tf.tidy`
 * accepts arrays of blobs.)
 */
export type Blob = {
  readonly t: tf.Tensor;
  readonly dims: 1 | 2 | 3;
  readonly channelsLast: boolean;
};

/** A 3-D blob in `[N, h, w, c]`. */
export function channelsLastBlob(t: tf.Tensor): Blob {
  return { t, dims: 3, channelsLast: true };
}

/** A blob in ncnn's memory order with a batch axis: `[N, w]`, `[N, h, w]` or `[N, c, h, w]`. */
export function planarBlob(t: tf.Tensor): Blob {
  const dims = t.rank - 1;
  if (dims !== 1 && dims !== 2 && dims !== 3) throw new Error(`ncnn blobs have 1 to 3 dims, got ${dims}`);
  return { t, dims, channelsLast: false };
}

/** The blob as `[N, h, w, c]`; `what` names the caller for the error on a 1-D/2-D blob. */
export function toChannelsLast(blob: Blob, what: string): tf.Tensor4D {
  if (blob.dims !== 3) throw new Error(`${what} needs a 3-D (c,h,w) blob, got ${blob.dims}-D`);
  const t = blob.channelsLast ? blob.t : tf.transpose(blob.t, [0, 2, 3, 1]);
  return t as tf.Tensor4D;
}

/** The blob in ncnn's memory order (see {@link planarBlob}). */
export function toPlanar(blob: Blob): tf.Tensor {
  return blob.channelsLast ? tf.transpose(blob.t, [0, 3, 1, 2]) : blob.t;
}

/** The blob's ncnn shape, outermost first: `[c, h, w]`, `[h, w]` or `[w]`. */
export function ncnnShape(blob: Blob): number[] {
  const [, a = 0, b = 0, c = 0] = blob.t.shape;
  return blob.channelsLast ? [c, a, b] : blob.t.shape.slice(1);
}

/** The tfjs axis of ncnn axis `axis` (0 = outermost; negative counts from the innermost, as in ncnn). */
export function tfAxis(blob: Blob, axis: number): number {
  const a = axis < 0 ? axis + blob.dims : axis;
  if (a < 0 || a >= blob.dims) throw new Error(`axis ${axis} is out of range for a ${blob.dims}-D blob`);
  // Channels-last stores (c, h, w) as tf axes (3, 1, 2).
  return blob.channelsLast ? ([3, 1, 2][a] ?? 0) : a + 1;
}

/** `b` in the same layout as `a` (both 3-D), so elementwise ops and concatenation line up. */
export function sameLayout(a: Blob, b: Blob): tf.Tensor {
  if (a.dims !== 3 || b.dims !== 3 || a.channelsLast === b.channelsLast) return b.t;
  return a.channelsLast ? toChannelsLast(b, 'layout conversion') : toPlanar(b);
}
