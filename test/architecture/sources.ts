// The TypeScript files of src/, parsed once for the architecture tests (not a test file).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const srcDir = resolve(repoRoot, 'src');

export interface SourceFile {
  /** Path relative to src/, with '/' separators: 'models/core/model.ts'. */
  readonly path: string;
  readonly ast: ts.SourceFile;
}

/** Every .ts file under src/ (not .d.ts), sorted by path, parsed without type checking. */
export function readSources(): SourceFile[] {
  return readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .map((p) => p.split(sep).join('/'))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))
    .sort()
    .map((path) => parseSource(path, readFileSync(resolve(srcDir, path), 'utf8')));
}

/** A file parsed from its text (parents set, so nodes know their text). */
export function parseSource(path: string, text: string): SourceFile {
  return { path, ast: ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

/** 'file.ts:12: first line of the node's text' */
export function where(file: SourceFile, node: ts.Node): string {
  const line = file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line + 1;
  const text = node.getText(file.ast).split('\n')[0]!;
  return `src/${file.path}:${line}: ${text.length > 100 ? `${text.slice(0, 100)}…` : text}`;
}

export interface Import {
  /** The specifier as written: './model.js', 'node:fs'. */
  readonly spec: string;
  /** src/-relative path of the file a relative specifier names; undefined for packages and for names that resolve to nothing. */
  readonly target: string | undefined;
  /** `import type`, `export type`, all names marked `type`, or an `import('…')` type. */
  readonly typeOnly: boolean;
  readonly line: number;
}

/**
 * Every module reference of a file: `import … from`, `export … from`, `import x = require()`,
 * `import()` calls and `import('…')` types.
 */
export function imports(file: SourceFile): Import[] {
  const found: Import[] = [];
  const allTypes = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>) => elements.length > 0 && elements.every((e) => e.isTypeOnly);
  const add = (spec: string, typeOnly: boolean, node: ts.Node) =>
    found.push({
      spec,
      target: spec.startsWith('.') ? resolveSpecifier(file.path, spec) : undefined,
      typeOnly,
      line: file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast)).line + 1,
    });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : undefined;
      add(node.moduleSpecifier.text, !!clause && (clause.isTypeOnly || (!clause.name && !!named && allTypes(named.elements))), node);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause : undefined;
      add(node.moduleSpecifier.text, node.isTypeOnly || (!!named && allTypes(named.elements)), node);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly, node);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      add(node.arguments[0].text, false, node);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, node);
    }
    ts.forEachChild(node, visit);
  };
  visit(file.ast);
  return found;
}

/** The relative imports of a file. */
export const relativeImports = (file: SourceFile): Import[] => imports(file).filter((i) => i.spec.startsWith('.'));

/** The src/-relative .ts file a relative specifier names ('./x.js' → 'dir/x.ts'); '../…' when it leaves src/; undefined when none exists. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.[cm]?js$/, '');
  for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, base, `${base}/index.ts`]) {
    if (/\.[cm]?ts$/.test(candidate) && existsSync(resolve(srcDir, candidate))) return candidate;
  }
  // A generated module (scripts/ write the embedded wasm as src/engine/*.generated.ts at build time,
  // and git ignores them): the file it will be, so the graph does not depend on a build having run.
  if (/\.generated\.[cm]?js$/.test(spec)) return `${stem}.ts`;
  return undefined;
}
