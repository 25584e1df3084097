import { packageBuild } from '../../tsup.shared';

// worker.ts is the node:worker_threads entry that SampleWorkerPool starts as ./worker.js next to the built
// node entry; shims give the CommonJS build the import.meta.url it locates the worker with.
export default packageBuild(['index', 'node', 'worker'], { shims: true });
