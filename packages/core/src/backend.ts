import * as tf from '@tensorflow/tfjs-core';
import { registerTrainingKernels } from './training-kernels';

/** Backends that {@link setBackend} knows how to register. */
export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu' | 'tensorflow';

/** All backend names, in the order the CLI lists them. */
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu', 'tensorflow'];

/** Thrown when a backend cannot be registered or initialised here; the message says what to install or why. */
export class BackendError extends Error {
  override name = 'BackendError';
}

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/**
 * Imports a module by a name computed at run time, so bundlers leave optional backends out of browser
 * builds and a missing optional package becomes a clear {@link BackendError}.
 */
async function importOptional(specifier: string, why: string): Promise<unknown> {
  try {
    return await import(/* @vite-ignore */ specifier);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new BackendError(
      `${why}: could not load '${specifier}' (${detail}); install it with 'npm i ${specifier}'`,
    );
  }
}

/** Options of {@link setBackend}. */
export interface BackendOptions {
  /**
   * wasm only: the size of the XNNPACK thread pool, 1 to 8, chosen before the backend's first start. In Node
   * the default is every core this process may use (`os.availableParallelism()`, at most 8); 1 loads the
   * single-threaded build. In browsers tfjs decides (threads need a cross-origin-isolated page); a number
   * given here is passed to tfjs's `setThreadsCount`.
   */
  readonly threads?: number;
}

/** The largest wasm thread pool: tfjs's threaded build pre-creates 8 workers and caps its pool there. */
const MAX_WASM_THREADS = 8;

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

/**
 * Registers the backend's kernels and returns how to start it (`tf.setBackend` by default): the wasm backend
 * in Node starts its thread pool around that call.
 */
type Registrar = (
  options: BackendOptions,
) => Promise<((start: () => Promise<boolean>) => Promise<boolean>) | undefined>;

const registrars: Record<BackendName, Registrar> = {
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
    return undefined;
  },
  async wasm(options) {
    const wasm = (await importOptional('@tensorflow/tfjs-backend-wasm', 'the wasm backend')) as WasmModule;
    return (start) => startWasm(wasm, options.threads, start);
  },
  async webgl() {
    if (isNode)
      throw new BackendError('the webgl backend needs a browser (WebGL); in Node use cpu, wasm or webgpu');
    await importOptional('@tensorflow/tfjs-backend-webgl', 'the webgl backend');
    return undefined;
  },
  async webgpu() {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav?.gpu === undefined) {
      if (!isNode)
        throw new BackendError('the webgpu backend needs a browser with WebGPU (navigator.gpu is missing)');
      await installDawn();
    }
    await importOptional('@tensorflow/tfjs-backend-webgpu', 'the webgpu backend');
    return undefined;
  },
  async tensorflow() {
    try {
      await importOptional('@tensorflow/tfjs-node-gpu', 'the tensorflow backend');
    } catch {
      await importOptional('@tensorflow/tfjs-node', 'the tensorflow backend (tfjs-node-gpu or tfjs-node)');
    }
    return undefined;
  },
};

/** The running wasm backend's thread count, or `undefined` before it started (`tf.findBackend` would start it). */
function runningWasmThreads(wasm: WasmModule): number | undefined {
  try {
    return wasm.getThreadsCount();
  } catch {
    return undefined;
  }
}

/**
 * Starts the wasm backend with the requested thread pool, or checks that the running one has it. In Node, more
 * than one thread goes through {@link initWasmWithThreads} (tfjs alone runs single-threaded there).
 */
async function startWasm(
  wasm: WasmModule,
  threads: number | undefined,
  start: () => Promise<boolean>,
): Promise<boolean> {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_WASM_THREADS)) {
    throw new BackendError(`wasm threads must be an integer from 1 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  const running = runningWasmThreads(wasm);
  if (running !== undefined) {
    if (threads !== undefined && threads !== running) {
      throw new BackendError(
        `the wasm backend already runs with ${running} thread(s); choose threads before its first start`,
      );
    }
    return start();
  }
  if (!isNode) {
    if (threads !== undefined) wasm.setThreadsCount(threads);
    return start();
  }
  const { availableCores, initWasmWithThreads } = await import('./wasm-threads-node');
  const count = threads ?? Math.min(await availableCores(), MAX_WASM_THREADS);
  if (count === 1) return start();
  try {
    return await initWasmWithThreads(
      count,
      {
        wasm,
        setFlag: (flag, value) => tf.env().set(flag, value),
        emscriptenModule: () => (tf.backend() as unknown as { wasm: object }).wasm,
      },
      start,
    );
  } catch (error) {
    throw new BackendError(
      `the wasm backend could not start ${count} threads (${(error as Error).message}); pass threads: 1 for the single-threaded backend`,
    );
  }
}

/** Exposes Dawn's WebGPU (the `webgpu` npm package) as `navigator.gpu` in Node. */
async function installDawn(): Promise<void> {
  const dawn = (await importOptional('webgpu', 'the webgpu backend in Node (Dawn)')) as {
    create(options: string[]): unknown;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]) as { requestAdapter(): Promise<unknown> };
  if ((await gpu.requestAdapter()) === null) {
    throw new BackendError(
      'the webgpu backend found no GPU adapter: Dawn needs a Vulkan driver and a GPU here (libvulkan1 plus the vendor ICD)',
    );
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  }
}

/**
 * Registers and activates a tfjs backend.
 *
 * `webgpu` works in browsers and, in Node, through the `webgpu` (Dawn) package over Vulkan/Metal/D3D12.
 * `tensorflow` loads `@tensorflow/tfjs-node-gpu` or `@tensorflow/tfjs-node` where they are installed.
 * In a bundled browser app, import the backend package (e.g. `import '@tensorflow/tfjs-backend-webgl'`) so that
 * it is registered already; `setBackend` then only activates it.
 * `wasm` in Node runs multi-threaded by default (see {@link BackendOptions.threads}).
 * Throws {@link BackendError} with the reason when the backend cannot start here.
 *
 * @example
 * ```ts
 * import { setBackend } from '@hrnet/core';
 * await setBackend('wasm'); // in Node: one XNNPACK thread per core
 * await setBackend('cpu');
 * ```
 */
export async function setBackend(name: BackendName, options: BackendOptions = {}): Promise<void> {
  const register = registrars[name];
  if (register === undefined) {
    throw new BackendError(`unknown backend '${String(name)}'; expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  // In a browser, a backend the app imported itself (bundlers cannot follow the dynamic imports above) is used
  // as is.
  const starter = isNode || tf.findBackendFactory(name) === null ? await register(options) : undefined;
  const start = () => tf.setBackend(name);
  let ok = false;
  try {
    ok = await (starter === undefined ? start() : starter(start));
  } catch (error) {
    if (error instanceof BackendError) throw error;
    throw new BackendError(`backend '${name}' failed to initialise: ${(error as Error).message}`);
  }
  if (!ok) throw new BackendError(`backend '${name}' failed to initialise on this machine`);
  await tf.ready();
}

let gradientsRegistered = false;

/**
 * Prepares tfjs for training: registers the gradients of all kernels, which tfjs-core alone does not do
 * (loading `@tensorflow/tfjs`, whose union package registers them, once), and the JavaScript
 * `Conv2DBackpropFilter` of {@link registerTrainingKernels} for cpu and wasm.
 */
export async function registerGradients(): Promise<void> {
  if (!gradientsRegistered) {
    await importOptional('@tensorflow/tfjs', 'gradients for training');
    gradientsRegistered = true;
  }
  // After the union package, whose import registers the stock cpu kernels again.
  registerTrainingKernels();
}
