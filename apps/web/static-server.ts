import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/** URL prefix (ending in `/`) to folder. */
export type Routes = Readonly<Record<string, string>>;

/** `/models/` and `/samples/` in the shared folder: the PP-TinyPose files and the COCO sample images. */
export function sharedRoutes(shared: string): Routes {
  return { '/models/': join(shared, 'models'), '/samples/': join(shared, 'data', 'coco-sample') };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
};

/**
 * Answers a GET or HEAD for a file under one of `routes` (the longest matching prefix; `/` ends in
 * `index.html`). Returns false when no route matches, so a caller can pass the request on.
 */
export function serveRoutes(routes: Routes, req: IncomingMessage, res: ServerResponse): boolean {
  const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
  const prefix = Object.keys(routes)
    .filter((p) => path.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return false;
  const root = normalize(routes[prefix]!);
  const rest = path.slice(prefix.length);
  const file = normalize(join(root, rest === '' || rest.endsWith('/') ? `${rest}index.html` : rest));
  if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
    return true;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
  return true;
}

/** A static server on 127.0.0.1 (a free port) for `routes`; resolves with its base URL and `close`. */
export async function startStaticServer(
  routes: Routes,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (!serveRoutes(routes, req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
