// Builds the browser demo (examples/browser) into examples/browser/dist/: the page and its training
// worker bundled by esbuild against the package's built browser entry (dist/index.js), plus the
// demo's data, a trained model (model.lrec) and its catalogue (catalog.json).
//
//   node scripts/build-demo.mjs [--ml100k DIR]     (npm run demo:build; needs `npm run build` first)
//
// With MovieLens 100k (../shared/data/ml-100k, or --ml100k DIR) the model is SVD on u.data with
// titles and genres from u.item and u.genre; without it, SVD on the package's generated ratings
// with made-up titles. MovieLens may not be redistributed: what is derived from it is written
// only into the gitignored dist/, never next to the sources.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
export const demoRoot = join(repoRoot, 'examples/browser');
export const demoDist = join(demoRoot, 'dist');
export const defaultMl100kDir = resolve(repoRoot, '../shared/data/ml-100k');
const packageBrowserEntry = join(repoRoot, 'dist/index.js');
const packageNodeEntry = join(repoRoot, 'dist/node.js');

/** The demo model's settings; 20 epochs of k=64 on 100k ratings take about 0.3 s. */
const DEMO_MODEL = { factors: 64, epochs: 20, seed: 0 };

/**
 * Bundles the page and the worker, then writes model.lrec and catalog.json beside them.
 * `ml100k`: a MovieLens 100k directory; undefined tries the default one; null forces the
 * generated set. Returns what was built, for the caller to print.
 */
export async function buildDemo({ ml100k, outDir = demoDist, log = console.log } = {}) {
  requirePackageBuild();
  await rm(outDir, { recursive: true, force: true }); // everything in it is generated
  await mkdir(outDir, { recursive: true });
  const bundle = await bundleDemo({ outDir });
  const data = await writeDemoData({ outDir, ml100k });
  log(`demo built in ${relative(repoRoot, outDir)}/: ${bundle.files.join(', ')}`);
  log(`model: SVD k=${DEMO_MODEL.factors} on ${data.description} (${data.fitSeconds.toFixed(2)} s); catalog: ${data.items} items`);
  return { outDir, bundle, data };
}

function requirePackageBuild() {
  if (!existsSync(packageBrowserEntry) || !existsSync(packageNodeEntry)) {
    throw new Error(`build-demo: ${relative(repoRoot, packageBrowserEntry)} is missing; run \`npm run build\` first`);
  }
}

/** Import paths esbuild must never meet in the browser bundle: node:* and bare built-in names. */
const NODE_BUILTIN_RE = new RegExp(
  `^(?:node:.*|(?:${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})(?:/.*)?)$`,
);

/**
 * 'latentrec' is resolved to the package's built browser entry, so the demo bundles exactly what
 * a browser app bundling the published package gets; a Node built-in anywhere in that graph fails
 * the build, naming the importer, instead of being shimmed or left for the browser to reject.
 */
const browserPackagePlugin = {
  name: 'latentrec-browser-entry',
  setup(build) {
    build.onResolve({ filter: /^latentrec$/ }, () => ({ path: packageBrowserEntry }));
    build.onResolve({ filter: NODE_BUILTIN_RE }, (args) => ({
      errors: [{ text: `the browser bundle imports the Node built-in "${args.path}" (from ${relative(repoRoot, args.importer)}): code bundled for browsers (the demo and latentrec's browser entry) must not use them` }],
    }));
  },
};

/** esbuild over the two entries; shared code (the package) goes to one chunk both import. */
export async function bundleDemo({ outDir = demoDist } = {}) {
  let result;
  try {
    result = await esbuild.build({
      entryPoints: { main: join(demoRoot, 'src/main.ts'), 'train-worker': join(demoRoot, 'src/train-worker.ts') },
      outdir: outDir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      chunkNames: 'chunks/[name]-[hash]',
      sourcemap: true,
      metafile: true,
      logLevel: 'silent',
      plugins: [browserPackagePlugin],
    });
  } catch (err) {
    const details = (err.errors ?? []).map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
    throw new Error(`build-demo: esbuild failed\n${details.join('\n') || err.message}`);
  }
  // Belt and braces: an import left external would reach the browser unresolved.
  const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  if (external.length > 0) throw new Error(`build-demo: the bundle leaves imports unresolved: ${external.join(', ')}`);
  const files = Object.keys(result.metafile.outputs).filter((f) => !f.endsWith('.map')).map((f) => relative(outDir, f));
  return { files, warnings: result.warnings };
}

/** Trains the demo model and writes model.lrec and catalog.json into outDir. */
export async function writeDemoData({ outDir = demoDist, ml100k } = {}) {
  const dir = ml100k === undefined ? (existsSync(join(defaultMl100kDir, 'u.data')) ? defaultMl100kDir : null) : ml100k;
  const latentrec = await import(pathToFileURL(packageNodeEntry).href);
  const source = dir ? await movieLensSource(latentrec, dir) : generatedSource(latentrec, ml100k === null ? 'as asked' : `MovieLens 100k not found at ${defaultMl100kDir}`);
  const model = new latentrec.SVD(DEMO_MODEL);
  const { fitSeconds } = model.fit(source.dataset);
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'model.lrec'), model.save());
  const catalog = catalogByPopularity(source.dataset, source.describe);
  await writeFile(join(outDir, 'catalog.json'), JSON.stringify(catalog));
  return { source: source.name, description: source.description, fitSeconds, items: catalog.length, users: source.dataset.userCount };
}

async function movieLensSource(latentrec, dir) {
  const ratingsPath = join(dir, 'u.data');
  if (!existsSync(ratingsPath)) throw new Error(`build-demo: no u.data in ${dir}`);
  const { dataset } = await latentrec.loadRatingsFile(ratingsPath);
  const genreNames = readGenreNames(join(dir, 'u.genre'));
  const movies = readMovies(join(dir, 'u.item'), genreNames);
  return {
    name: 'movielens',
    description: `MovieLens 100k (${dataset.size} ratings from ${dir})`,
    dataset,
    describe: (id) => movies.get(id) ?? { title: `Movie ${id}`, genres: [] },
  };
}

/** u.genre: `name|index` per line. */
function readGenreNames(path) {
  const names = [];
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const [name, index] = line.trim().split('|');
    if (name && index !== undefined && /^\d+$/.test(index)) names[Number(index)] = name;
  }
  return names;
}

/** u.item: `id|title|release|video release|IMDb URL|19 genre flags`, latin-1 (titles like "Café au Lait"). */
function readMovies(path, genreNames) {
  const movies = new Map();
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const fields = line.trimEnd().split('|');
    if (fields.length < 6 || !fields[0]) continue;
    const flags = fields.slice(5);
    movies.set(fields[0], { title: fields[1], genres: flags.flatMap((flag, g) => (flag === '1' && genreNames[g] ? [genreNames[g]] : [])) });
  }
  return movies;
}

/** Made-up genres for the generated set: one or two per item, fixed by the item's number. */
const GENERATED_GENRES = ['Action', 'Comedy', 'Drama', 'Documentary', 'Romance', 'Sci-Fi', 'Thriller', 'Animation', 'Western'];

function generatedSource(latentrec, why) {
  const dataset = latentrec.generateRatings();
  return {
    name: 'generated',
    description: `the generated set (${dataset.size} ratings; ${why})`,
    dataset,
    describe: (id) => {
      const n = Number(id);
      const first = GENERATED_GENRES[(n * 7) % GENERATED_GENRES.length];
      const second = GENERATED_GENRES[(n * 13 + 4) % GENERATED_GENRES.length];
      return { title: `Generated item ${id}`, genres: n % 3 === 0 && second !== first ? [first, second] : [first] };
    },
  };
}

/** [{id, title, genres}] of every item in the training data, most rated first (the page's order). */
function catalogByPopularity(dataset, describe) {
  const counts = new Uint32Array(dataset.itemCount);
  for (const i of dataset.itemIndex) counts[i]++;
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  return order.map((i) => {
    const id = dataset.items.raw[i];
    const { title, genres } = describe(id);
    return { id, title, genres };
  });
}

function argValue(argv, name) {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`build-demo: ${name} needs a value`);
  return value;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const ml100k = argValue(process.argv.slice(2), '--ml100k');
    await buildDemo({ ml100k: ml100k === undefined ? undefined : resolve(ml100k) });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
