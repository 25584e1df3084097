import { defineConfig } from 'tsup';

export default defineConfig({
  // worker.ts is the node:worker_threads entry that SampleWorkerPool starts as ./worker.js next to
  // the built node entry.
  entry: ['src/index.ts', 'src/node.ts', 'src/worker.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  // import.meta.url (worker location) in the CommonJS build.
  shims: true,
});
