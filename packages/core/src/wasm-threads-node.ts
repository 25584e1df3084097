/**
 * Multi-threaded tfjs wasm backend in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK over a pthread pool) but switches it off in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false there) because its loader hands emscripten a `blob:` URL for the
 * pthread worker, which `node:worker_threads` cannot start. The emscripten worker itself supports Node. This
 * module starts it: while the backend initialises, `URL.createObjectURL` returns the path of a temporary copy
 * of the package's own worker script (`wasm-out/*.worker.js`), prefixed so that the worker loads the package's
 * own emscripten glue (`wasm-out/tfjs-backend-wasm-threaded-simd.js`) from disk instead of a Blob.
 * The backend also sizes its pool as `min(threads, logical cores / 2)` (it assumes two hardware threads per
 * core), so `os.cpus()` reports `2 * threads` entries during the initialisation. Everything is restored and the
 * temporary folder removed once the backend is up (the workers have loaded both scripts by then).
 *
 * Emscripten keeps a running pthread's worker referenced, so the pool's idle threads would keep Node from
 * exiting; they are unreferenced once started (Node ends them at exit).
 *
 * Results are bitwise equal to the single-threaded backend: XNNPACK splits convolutions by output tiles,
 * which does not change any sum's order.
 */
import type { CpuInfo } from 'node:os';
import type { Worker } from 'node:worker_threads';

/**
 * A Node built-in module, imported by a computed name: this module is reachable from the browser entry
 * (lazily, from `setBackend`), and bundlers must not try to resolve Node modules for it.
 */
async function nodeBuiltin<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ `node:${name}`)) as T;
}

/** Files of `@tensorflow/tfjs-backend-wasm` the threaded backend loads in its workers. */
const GLUE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
/** How long the workers may take to start before {@link initWasmWithThreads} gives up. */
const START_TIMEOUT_MS = 60_000;

/** The cores this process may use (`os.availableParallelism()`). */
export async function availableCores(): Promise<number> {
  const os = await nodeBuiltin<typeof import('node:os')>('os');
  return os.availableParallelism();
}

/** The parts of tfjs's wasm backend and of its emscripten module that {@link initWasmWithThreads} uses. */
export interface ThreadedWasmHooks {
  /** The imported `@tensorflow/tfjs-backend-wasm` module. */
  readonly wasm: { setThreadsCount(n: number): void };
  /** Sets a tfjs environment flag. */
  setFlag(name: string, value: boolean): void;
  /** The started backend's emscripten module (`tf.backend().wasm`). */
  emscriptenModule(): { PThread?: { runningWorkers: Worker[]; unusedWorkers: Worker[] } };
}

/**
 * Runs `init` (which must call `tf.setBackend('wasm')`) with the threaded wasm build enabled for `threads`
 * threads (2..8). Throws if the package files are missing or the workers do not start.
 */
export async function initWasmWithThreads<T>(
  threads: number,
  hooks: ThreadedWasmHooks,
  init: () => Promise<T>,
): Promise<T> {
  const [os, { mkdtemp, rm, writeFile }, { join }, { createRequire }] = await Promise.all([
    nodeBuiltin<{ default: typeof import('node:os') }>('os').then((m) => m.default),
    nodeBuiltin<typeof import('node:fs/promises')>('fs/promises'),
    nodeBuiltin<typeof import('node:path')>('path'),
    nodeBuiltin<typeof import('node:module')>('module'),
  ]);
  const require = createRequire(import.meta.url);
  const packageDir = join(require.resolve('@tensorflow/tfjs-backend-wasm'), '..', '..');
  const glue = require.resolve(join(packageDir, GLUE));
  const { wasmWorkerContents } = require(join(packageDir, WORKER)) as { wasmWorkerContents?: unknown };
  if (typeof wasmWorkerContents !== 'string') {
    throw new Error(`${WORKER} of @tensorflow/tfjs-backend-wasm has no wasmWorkerContents string`);
  }
  const dir = await mkdtemp(join(os.tmpdir(), 'hrnet-wasm-threads-'));
  const workerPath = join(dir, 'worker.js');
  // As tfjs does before making its Blob: the contents come from a template literal, whose `\n` escapes
  // became real newlines inside string literals.
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  const redirect = `URL.createObjectURL=()=>${JSON.stringify(glue)};URL.revokeObjectURL=()=>{};\n`;
  await writeFile(workerPath, redirect + workerSource);

  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (object: Blob) =>
    object instanceof Blob && object.type === 'application/javascript' ? workerPath : createObjectURL(object);
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0] as CpuInfo);
  hooks.setFlag('WASM_HAS_MULTITHREAD_SUPPORT', true);
  hooks.wasm.setThreadsCount(threads);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`its ${threads} worker threads did not start in ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
    });
    const result = await Promise.race([init(), timeout]);
    const pthreads = hooks.emscriptenModule().PThread;
    for (const worker of [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])])
      worker.unref();
    return result;
  } finally {
    clearTimeout(timer);
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
    await rm(dir, { recursive: true, force: true });
  }
}
