import { packageBuild } from '../../tsup.shared';

// shims give the CommonJS build the import.meta.url that the Node wasm-threads setup resolves packages from.
export default packageBuild(['index', 'node'], { shims: true });
