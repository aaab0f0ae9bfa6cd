// A tiny static file server for the browser demo (node:http, no dependency). Serves files under
// `root` only, with the content types the page needs, and makes the page cross-origin isolated
// (COOP + COEP) so a later change can use SharedArrayBuffer for threaded kernels.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.lrec': 'application/octet-stream',
};

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store', // a rebuilt demo is picked up by a reload
};

/**
 * Starts the server; `port: 0` picks a free port. Resolves to `{ url, close() }` once listening.
 * `url` ends with '/', e.g. 'http://127.0.0.1:5173/'.
 */
export async function startDemoServer({ port = 0, host = '127.0.0.1', root }) {
  if (!root) throw new Error('startDemoServer: root is required');
  const rootDir = await realpath(resolve(root));
  const server = createServer((request, response) => {
    serve(rootDir, request, response).catch((err) => {
      if (!response.headersSent) send(response, 500, `internal error: ${err.message}\n`);
      else response.destroy();
    });
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const address = server.address();
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise((done, fail) => {
        server.close((err) => (err ? fail(err) : done()));
        server.closeAllConnections();
      }),
  };
}

async function serve(rootDir, request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  }
  const file = await fileFor(rootDir, request.url ?? '/');
  if (file === 'forbidden') return send(response, 403, 'forbidden\n');
  if (!file) return send(response, 404, 'not found\n');
  response.writeHead(200, {
    ...HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': file.size,
  });
  if (request.method === 'HEAD') return response.end();
  createReadStream(file.path).on('error', () => response.destroy()).pipe(response);
}

/**
 * The file a URL path names inside rootDir (a directory means its index.html), 'forbidden' for
 * anything that would leave rootDir (`..` in any encoding, a symlink pointing out), or undefined
 * when there is no such file.
 */
async function fileFor(rootDir, url) {
  let path;
  try {
    path = decodeURIComponent(url.split(/[?#]/)[0]);
  } catch {
    return 'forbidden'; // malformed percent-encoding
  }
  if (path.includes('\0') || path.includes('\\')) return 'forbidden';
  const candidate = resolve(rootDir, `.${path.startsWith('/') ? '' : '/'}${path}`);
  if (!inside(rootDir, candidate)) return 'forbidden';
  let real;
  try {
    real = await realpath(candidate);
  } catch {
    return undefined;
  }
  if (!inside(rootDir, real)) return 'forbidden';
  let info = await stat(real);
  if (info.isDirectory()) {
    real = await realpath(join(real, 'index.html')).catch(() => undefined);
    if (real === undefined) return undefined;
    if (!inside(rootDir, real)) return 'forbidden';
    info = await stat(real);
  }
  return info.isFile() ? { path: real, size: info.size } : undefined;
}

function inside(rootDir, path) {
  return path === rootDir || path.startsWith(rootDir + sep);
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}
