// Builds the browser demo and serves it: `npm run build && npm run demo`, then open the URL.
//   node scripts/serve-demo.mjs [--port N] [--ml100k DIR]     (PORT=N works too; default 5173)
import { resolve } from 'node:path';
import { buildDemo, demoRoot } from './build-demo.mjs';
import { startDemoServer } from './demo-server.mjs';

function argValue(argv, name) {
  const at = argv.indexOf(name);
  return at < 0 ? undefined : argv[at + 1];
}

const argv = process.argv.slice(2);
const portText = argValue(argv, '--port') ?? process.env.PORT ?? '5173';
const port = Number(portText);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`serve-demo: --port must be an integer in [0, 65535] (got ${JSON.stringify(portText)})`);
  process.exit(1);
}
const ml100k = argValue(argv, '--ml100k');

try {
  await buildDemo({ ml100k: ml100k === undefined ? undefined : resolve(ml100k) });
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

let server;
try {
  server = await startDemoServer({ port, host: '127.0.0.1', root: demoRoot });
} catch (err) {
  console.error(err.code === 'EADDRINUSE' ? `serve-demo: port ${port} is in use; try --port ${port + 1} (or --port 0 for any free port)` : err.message);
  process.exit(1);
}

console.log(`
latentrec browser demo: ${server.url}

  Rate a few titles: the page folds you into the trained model (no retraining) and re-ranks the
  whole catalogue at every click, showing the time fold-in + top 10 took. Below, train a model on
  a ratings file of your own in a Web Worker (live learning curve), or load a saved .lrec file.
  Everything runs in the browser; this server only serves files.

Ctrl+C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
