// Bundles a browser entry with esbuild (platform browser, ESM) and refuses the bundle when the
// code reaches a Node built-in: an import of one (node:fs, or fs without the prefix) fails the
// build naming the importing file, and a free reference to Node's globals fails it afterwards.
import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';

/** Node's globals, each replaced by a marker whose presence in the output means a free reference. */
const NODE_GLOBALS = ['process', 'Buffer', 'require', 'global', '__dirname', '__filename'];
const marker = (name: string) => `__NODE_GLOBAL_${name}__`;

const builtinPattern = new RegExp(`^(node:.*|(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(/.*)?)$`);

const refuseNodeBuiltins: Plugin = {
  name: 'refuse-node-builtins',
  setup(b) {
    b.onResolve({ filter: builtinPattern }, (args) => ({
      errors: [{ text: `${args.path} (a Node built-in) is imported by ${args.importer}; the browser bundle must not reach Node` }],
    }));
  },
};

/** The bundled ESM text of `entry`, or an Error naming the Node built-in it reached. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [refuseNodeBuiltins],
    define: Object.fromEntries(NODE_GLOBALS.map((name) => [name, marker(name)])),
  });
  const text = result.outputFiles[0].text;
  const reached = NODE_GLOBALS.filter((name) => text.includes(marker(name)));
  if (reached.length > 0) throw new Error(`the browser bundle of ${entry} refers to Node's ${reached.join(', ')}`);
  return text;
}
