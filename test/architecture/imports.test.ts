// The import graph of src/: no cycle between files or folders, models never import io, and each
// folder imports only the layers below it (../shared/DESIGN.md, "Layers and folders").
//
// Edges come from the syntax (TypeScript's parser, no type checking): `import … from`, `export … from`,
// `import x = require()`, `import()` calls and `import('…')` types. An edge is type-only when every
// statement behind it is (`import type`, `export type`, or all its names marked `type`); it creates
// no runtime dependency but still couples the two files, so it counts for every assertion here, and
// a cycle that only type-only edges close is reported as such. ("Runtime" is conservative: a plain
// `import { X }` whose X is used only as a type is erased by the compiler yet counted as runtime.)
//
// Folder = the directory of a file relative to src/ ('models', 'models/core', 'io'). Each file
// directly in src/ (index.ts, node.ts, errors.ts) is a node of its own: the entry points sit on top
// and errors.ts at the bottom, so lumping them together as one folder '.' would invent cycles.
// Layers = the first path segment ('models/core' → 'models').
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSources, relativeImports } from './sources.js';

/**
 * What each layer may import (besides itself). A layer missing here fails the test until it is placed.
 * From DESIGN.md: engine knows only kernels and memory; data only parses into typed arrays; models
 * build on data and engine; eval and io build on models ("io depends on models, never the reverse");
 * cli is the command on top of everything; index.ts/node.ts are the package entries.
 */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  'errors.ts': [],
  util: ['errors.ts'],
  linalg: ['util', 'errors.ts'],
  plot: ['util', 'errors.ts'],
  engine: ['util', 'linalg', 'errors.ts'],
  data: ['util', 'errors.ts'],
  models: ['data', 'engine', 'linalg', 'util', 'errors.ts'],
  eval: ['models', 'data', 'engine', 'linalg', 'plot', 'util', 'errors.ts'],
  io: ['models', 'data', 'engine', 'util', 'errors.ts'],
  cli: ['io', 'eval', 'models', 'data', 'engine', 'linalg', 'plot', 'util', 'errors.ts'],
  'index.ts': ['io', 'eval', 'models', 'data', 'engine', 'linalg', 'plot', 'util', 'errors.ts'],
  'node.ts': ['index.ts', 'io', 'eval', 'models', 'data', 'engine', 'linalg', 'plot', 'util', 'errors.ts'],
};

interface Edge {
  readonly from: string;
  readonly to: string;
  /** True when every statement behind the edge is type-only. */
  readonly typeOnly: boolean;
}

type Graph = ReadonlyMap<string, ReadonlyMap<string, Edge>>;

/** Folder of a src/-relative file: its directory, or the file itself when it sits in src/. */
const folderOf = (path: string) => (path.includes('/') ? posix.dirname(path) : path);
/** Layer of a src/-relative file: the first path segment. */
const layerOf = (path: string) => path.split('/')[0]!;

function addEdge(graph: Map<string, Map<string, Edge>>, from: string, to: string, typeOnly: boolean): void {
  if (!graph.has(from)) graph.set(from, new Map());
  if (!graph.has(to)) graph.set(to, new Map());
  const out = graph.get(from)!;
  const old = out.get(to);
  out.set(to, { from, to, typeOnly: (old?.typeOnly ?? true) && typeOnly });
}

/** Collapse a file graph onto groups (folders or layers); self edges dropped. */
function collapse(files: Graph, group: (path: string) => string): Graph {
  const graph = new Map<string, Map<string, Edge>>();
  for (const [from, out] of files) {
    if (!graph.has(group(from))) graph.set(group(from), new Map());
    for (const edge of out.values()) {
      if (group(from) !== group(edge.to)) addEdge(graph, group(from), group(edge.to), edge.typeOnly);
    }
  }
  return graph;
}

/** Strongly connected components with a cycle (size > 1, or a self edge), Tarjan's algorithm. */
function cyclicComponents(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.has(v)) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One shortest cycle through each member of a component, deduplicated, as 'a → b → a' chains. */
function cycleChains(graph: Graph, component: readonly string[]): string[] {
  const inside = new Set(component);
  const seen = new Set<string>();
  const chains: string[] = [];
  for (const start of component) {
    // Breadth-first from start's successors back to start, inside the component.
    const parent = new Map<string, string>();
    const queue: string[] = [start];
    let found = false;
    for (let head = 0; head < queue.length && !found; head++) {
      const v = queue[head]!;
      for (const w of [...(graph.get(v)?.keys() ?? [])].sort()) {
        if (!inside.has(w)) continue;
        if (w === start) {
          parent.set(start, v);
          found = true;
          break;
        }
        if (!parent.has(w)) {
          parent.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = parent.get(start)!; v !== start; v = parent.get(v)!) path.unshift(v);
    // Canonical rotation: start at the smallest member, so a cycle found from each member counts once.
    const first = path.indexOf([...path].sort()[0]!);
    const cycle = [...path.slice(first), ...path.slice(0, first)];
    const key = cycle.join('\n');
    if (seen.has(key)) continue;
    seen.add(key);
    const steps = cycle.map((v, i) => {
      const next = cycle[(i + 1) % cycle.length]!;
      return graph.get(v)!.get(next)!.typeOnly ? ' ⇢(type) ' : ' → ';
    });
    chains.push(cycle.map((v, i) => v + steps[i]).join('') + cycle[0]);
  }
  return chains;
}

/** The same graph with the type-only edges dropped. */
function runtimeOnly(graph: Graph): Graph {
  return new Map([...graph].map(([v, out]) => [v, new Map([...out].filter(([, e]) => !e.typeOnly))]));
}

/** Every cycle of the graph as text, each component marked by whether runtime edges alone close a cycle. */
function describeCycles(graph: Graph): string[] {
  const runtimeCyclic = new Set(cyclicComponents(runtimeOnly(graph)).flat());
  return cyclicComponents(graph).map((component) => {
    const runtime = component.some((v) => runtimeCyclic.has(v));
    const head = `cycle among ${component.length} (${runtime ? 'runtime edges alone close a cycle' : 'only type-only edges close it'}): ${component.join(', ')}`;
    return [head, ...cycleChains(graph, component).map((c) => `    ${c}`)].join('\n');
  });
}

const sources = readSources();
const unresolved: string[] = [];
const outside: string[] = [];
const files = new Map<string, Map<string, Edge>>();
for (const file of sources) {
  if (!files.has(file.path)) files.set(file.path, new Map());
  for (const { spec, target, typeOnly, line } of relativeImports(file)) {
    if (target === undefined) unresolved.push(`src/${file.path}:${line}: '${spec}' names no .ts file`);
    else if (target.startsWith('../')) outside.push(`src/${file.path}:${line}: '${spec}' leaves src/`);
    else addEdge(files, file.path, target, typeOnly);
  }
}
const folders = collapse(files, folderOf);
const layers = collapse(files, layerOf);
const edgeCount = (g: Graph) => [...g.values()].reduce((n, out) => n + out.size, 0);
const typeOnlyCount = (g: Graph) => [...g.values()].reduce((n, out) => n + [...out.values()].filter((e) => e.typeOnly).length, 0);

console.log(
  [
    `src/ import graph: ${files.size} modules, ${edgeCount(files)} edges (${typeOnlyCount(files)} type-only); ` +
      `${folders.size} folders, ${edgeCount(folders)} folder edges; ${layers.size} layers.`,
    ...[...layers]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([v, out]) => `  ${v} → ${[...out.values()].map((e) => e.to + (e.typeOnly ? ' (type)' : '')).sort().join(', ') || '(nothing)'}`),
  ].join('\n'),
);

/** The file-level edges behind a folder or layer edge, as 'a.ts → b.ts' lines. */
function behind(group: (path: string) => string, from: string, to: string): string[] {
  return [...files.values()]
    .flatMap((out) => [...out.values()])
    .filter((e) => group(e.from) === from && group(e.to) === to)
    .map((e) => `      src/${e.from} → src/${e.to}${e.typeOnly ? ' (type-only)' : ''}`);
}

/** The cycles of a folder or layer graph, each with the file edges behind its steps. */
function describeGroupCycles(graph: Graph, group: (path: string) => string): string[] {
  return describeCycles(graph).map((text) => {
    const chains = text.split('\n').slice(1).map((line) => line.trim().split(/ → | ⇢\(type\) /));
    const steps = new Set(chains.flatMap((c) => c.slice(0, -1).map((v, i) => `${v}\n${c[i + 1]}`)));
    const detail = [...steps].sort().flatMap((step) => {
      const [from, to] = step.split('\n') as [string, string];
      return [`    ${from} → ${to}:`, ...behind(group, from, to)];
    });
    return [text, ...detail].join('\n');
  });
}

describe('the import graph of src/', () => {
  it('has parsed the sources', () => {
    expect(sources.length).toBeGreaterThan(10);
  });

  it('resolves every relative import to a file inside src/', () => {
    expect([...unresolved, ...outside]).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(describeCycles(files)).toEqual([]);
  });

  it('has no cycle between folders (a folder = the directory of a file)', () => {
    expect(describeGroupCycles(folders, folderOf)).toEqual([]);
  });

  it('has no cycle between layers (a layer = the first folder under src/)', () => {
    expect(describeGroupCycles(layers, layerOf)).toEqual([]);
  });

  it('has nothing under src/models import from src/io (io depends on models, never the reverse)', () => {
    const wrong = [...files.values()]
      .flatMap((out) => [...out.values()])
      .filter((e) => layerOf(e.from) === 'models' && layerOf(e.to) === 'io')
      .map((e) => `src/${e.from} → src/${e.to}${e.typeOnly ? ' (type-only)' : ''}`);
    expect(wrong).toEqual([]);
  });

  it('has each layer import only the layers below it', () => {
    const wrong: string[] = [];
    for (const [from, out] of layers) {
      const allowed = LAYERS[from];
      if (!allowed) {
        wrong.push(`${from}: a layer the test does not know; place it in LAYERS (test/architecture/imports.test.ts)`);
        continue;
      }
      for (const edge of out.values()) {
        if (!allowed.includes(edge.to)) wrong.push([`${from} → ${edge.to}${edge.typeOnly ? ' (type-only)' : ''}:`, ...behind(layerOf, from, edge.to)].join('\n'));
      }
    }
    expect(wrong).toEqual([]);
  });
});
