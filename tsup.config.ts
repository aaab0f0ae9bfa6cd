import { defineConfig } from 'tsup';

/** The library's entries: `latentrec` (browser-safe) and `latentrec/node` (adds file loading). */
const entries = { index: 'src/index.ts', node: 'src/node.ts' };

export default defineConfig([
  {
    // ESM, one file per source module (dist/index.js, dist/data/parse.js, dist/engine/...): a
    // bundler keeps only the modules an import reaches ("sideEffects": false), and each wasm build
    // is its own module (dist/engine/kernels-<build>.generated.js), so a bundle carries only the
    // builds its code can pick. dist/node.js re-exports dist/index.js: one copy of every class
    // (instanceof works across the two entries). The CLI's modules are left out (dist/cli.js below).
    entry: ['src/**/*.ts', '!src/cli/**'],
    format: ['esm'],
    bundle: false,
    target: 'es2022',
    platform: 'neutral',
    sourcemap: true,
  },
  {
    // CommonJS for `require`, bundled (CommonJS is not tree-shaken anyway): splitting puts the code
    // the two entries share in one chunk, so classes are not duplicated between them.
    entry: entries,
    format: ['cjs'],
    splitting: true,
    // tsup makes split CommonJS from split ESM with Sucrase, which turns named classes into
    // anonymous ones (`_class14`); messages name the model by its class (new.target.name).
    keepNames: true,
    target: 'es2022',
    platform: 'node',
    sourcemap: true,
  },
  {
    // Types of both entries for both formats (index.d.ts, index.d.cts, node.d.ts, node.d.cts), in
    // one declaration pass (two would each type-check the whole library again).
    entry: entries,
    format: ['esm', 'cjs'],
    dts: { only: true },
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
  },
]);
