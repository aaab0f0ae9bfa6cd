import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: `latentrec` (browser-safe) and `latentrec/node` (adds file loading), as ESM +
    // CJS with types. Splitting puts their shared code in one chunk, so classes are not duplicated
    // between the two entries (instanceof keeps working across them).
    entry: { index: 'src/index.ts', node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    splitting: true,
    dts: true,
    target: 'es2022',
    platform: 'node',
    sourcemap: true,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
  },
]);
