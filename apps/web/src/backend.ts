// The backends are imported here so that the bundle contains them: `setBackend` of `@hrnet/core` only
// activates a backend the page has registered (its own dynamic imports are invisible to bundlers).
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { type BackendName, setBackend } from '@hrnet/core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** The backends the page offers, fastest first: also the fallback order. */
const PAGE_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const satisfies readonly BackendName[];
export type PageBackend = (typeof PAGE_BACKENDS)[number];

// Vite copies the .wasm binaries next to the bundle; tfjs picks SIMD / threads by what the browser supports.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});

/** The backend to try first: WebGPU where the browser has it, else WebGL. */
export function preferredBackend(): PageBackend {
  return 'gpu' in navigator ? 'webgpu' : 'webgl';
}

/** Outcome of {@link activateBackend}: the backend now active and why the wanted one was skipped, if it was. */
export interface ActivatedBackend {
  readonly name: PageBackend;
  /** One line per backend that failed before `name` started, e.g. `webgl: backend 'webgl' failed to ...`. */
  readonly failures: readonly string[];
}

/**
 * Activates `wanted`, or the next backend of {@link PAGE_BACKENDS} that starts here (headless Chromium has
 * no WebGPU, and WebGL only through SwiftShader).
 */
export async function activateBackend(wanted: PageBackend): Promise<ActivatedBackend> {
  const failures: string[] = [];
  for (const name of PAGE_BACKENDS.slice(PAGE_BACKENDS.indexOf(wanted))) {
    try {
      await setBackend(name);
      return { name, failures };
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`no tfjs backend could start here:\n${failures.join('\n')}`);
}
