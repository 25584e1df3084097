import { resolve } from 'node:path';
import { type Connect, defaultClientConditions, defineConfig, type Plugin } from 'vite';
import { serveRoutes, sharedRoutes } from './static-server';

/** The shared folder beside the repository (`HRNET_SHARED` overrides), as the tests find it. */
const shared = process.env.HRNET_SHARED ?? resolve(import.meta.dirname, '../../../shared');

/** Serves `/models/` and `/samples/` from the shared folder in `vite` and `vite preview`, as the test does. */
function serveShared(): Plugin {
  const routes = sharedRoutes(shared);
  const middleware: Connect.NextHandleFunction = (req, res, next) => {
    if (!serveRoutes(routes, req, res)) next();
  };
  return {
    name: 'hrnet-serve-shared',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

export default defineConfig({
  // Relative asset URLs: the built page works from any path.
  base: './',
  // Workspace packages from source (their `@hrnet/source` export), so no package build is needed first.
  resolve: { conditions: ['@hrnet/source', ...defaultClientConditions] },
  plugins: [serveShared()],
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
