import * as tf from '@tensorflow/tfjs-core';

/** Reads a tensor's values and makes the output tensor on one backend. */
interface BackendAccess {
  read(backend: unknown, t: tf.TensorInfo): ArrayLike<number>;
  output(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo;
}

interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

interface WasmBackend {
  typedArrayFromHeap(t: tf.TensorInfo): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

const ACCESS: Record<'cpu' | 'wasm', BackendAccess> = {
  cpu: {
    read: (backend, t) => (backend as CpuBackend).data.get(t.dataId).values,
    output: (backend, shape, values) => (backend as CpuBackend).makeTensorInfo(shape, 'float32', values),
  },
  wasm: {
    read: (backend, t) => (backend as WasmBackend).typedArrayFromHeap(t),
    output: (backend, shape, values) => {
      const out = (backend as WasmBackend).makeOutput(shape, 'float32');
      ((backend as WasmBackend).typedArrayFromHeap(out) as Float32Array).set(values);
      return out;
    },
  },
};

/**
 * `Conv2DBackpropFilter` in JavaScript, NHWC: `dW[r, s, c, k] = sum over n, y, x of
 * X[n, y*stride + r - padTop, x*stride + s - padLeft, c] * dY[n, y, x, k]`. The same sums as tfjs-backend-cpu's
 * kernel (float64 accumulation, then float32), ordered so that the innermost loop runs along contiguous output
 * channels: about 50x faster than the stock kernel, which walks both tensors by strided `TensorBuffer.get` and
 * took 85% of a training step.
 */
function conv2dBackpropFilter(
  access: BackendAccess,
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat),
  );
  if (info.dataFormat !== 'channelsLast') throw new Error('Conv2DBackpropFilter: only NHWC is implemented');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const xv = access.read(args.backend, x);
  const dyv = access.read(args.backend, dy);
  const acc = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let r = 0; r < filterHeight; r++) {
    for (let s = 0; s < filterWidth; s++) {
      const tap = (r * filterWidth + s) * inChannels * outChannels;
      for (let n = 0; n < batchSize; n++) {
        for (let y = 0; y < outHeight; y++) {
          const iy = y * strideHeight + r - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let xo = 0; xo < outWidth; xo++) {
            const ix = xo * strideWidth + s - left;
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((n * inHeight + iy) * inWidth + ix) * inChannels;
            const dyBase = ((n * outHeight + y) * outWidth + xo) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const v = xv[xBase + c]!;
              if (v === 0) continue;
              const row = tap + c * outChannels;
              for (let k = 0; k < outChannels; k++) acc[row + k]! += v * dyv[dyBase + k]!;
            }
          }
        }
      }
    }
  }
  return access.output(args.backend, info.filterShape, Float32Array.from(acc));
}

const kernels = new Map(
  Object.entries(ACCESS).map(([name, access]) => [
    name,
    ((args: Parameters<typeof conv2dBackpropFilter>[1]) =>
      conv2dBackpropFilter(access, args)) as tf.KernelFunc,
  ]),
);

/**
 * Installs {@link conv2dBackpropFilter} as `Conv2DBackpropFilter` of the cpu backend (replacing its stock kernel,
 * which makes a step of even the tiny test network take most of a minute) and of the wasm backend (which has
 * none, so cannot train without it). Other backends are left alone. Idempotent.
 */
export function registerTrainingKernels(): void {
  for (const [backendName, kernelFunc] of kernels) {
    const existing = tf.getKernel('Conv2DBackpropFilter', backendName);
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel('Conv2DBackpropFilter', backendName);
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc });
  }
}
