import { defineConfig } from 'tsup';

/** The library's entries: `latentrec` (browser-safe) and `latentrec/node` (adds file loading). */
// No source maps: they pointed at src/, which the package does not ship, and were 4.4 MB of its
// 7.2 MB unpacked (issue 18); errors name latentrec's own readable modules anyway.
const entries = { index: 'src/index.ts', node: 'src/node.ts' };

export default defineConfig([
  {
    // ESM, one file per source module (dist/index.js, dist/data/parse.js, dist/engine/...): a
    // bundler keeps only the modules an import reaches ("sideEffects": false), and each wasm build
    // is its own module (dist/engine/kernels-<build>.generated.js), so a bundle carries only the
    // builds its code can pick. dist/node.js re-exports dist/index.js: one copy of every class
    // (instanceof works across the two entries). The CLI's modules are built the same way
    // (dist/cli/main.js is the command): they import the library's modules, not a copy of them.
    entry: ['src/**/*.ts'],
    format: ['esm'],
    bundle: false,
    target: 'es2022',
    platform: 'neutral',
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
  },
  {
    // Types of both entries for both formats (index.d.ts, index.d.cts, node.d.ts, node.d.cts), in
    // one declaration pass (two would each type-check the whole library again).
    entry: entries,
    format: ['esm', 'cjs'],
    dts: { only: true },
  },
]);
