// No module-level statements in src/: importing a module declares things and runs nothing of ours.
// (package.json says "sideEffects": false, so bundlers drop modules nobody uses; a module that must
// run to register itself — registerRestorer(...) — then silently goes missing, or works only when
// something else happens to import it first.)
//
// Each top-level statement of every src/ file must be one of:
// - an import or export-from, a function, interface, type, enum or `declare` declaration;
// - a class whose `extends`, decorators, computed names and static members are inert (below),
//   with no `static {}` block;
// - a variable declaration or `export default` whose initializer is inert: a literal, a template,
//   a regular expression, a reference to a binding or a property of one (Math.fround, PRESETS.svd),
//   a function or class expression, an array or object literal of inert parts, or an operator
//   (arithmetic, comparison, `as`, `satisfies`, `!`, `typeof`, `? :`) over inert parts;
//   plus these calls, which run nothing of ours and which bundlers already treat as removable:
//     Object.freeze(inert), new Map/Set/WeakMap/WeakSet() with no argument or one inert array,
//     and any call or `new` marked /* @__PURE__ */ (or #__PURE__) whose arguments are inert.
// Anything else runs code at import time: an expression statement (a call, an assignment),
// if/for/while/try/switch/block at top level, top-level await, or an initializer that calls a
// function (`const x = compute()`, an IIFE, `new TextDecoder()`, `A.flatMap(…)`).
//
// The one exception is the CLI entry, src/cli/main.ts: a command's entry point has to parse
// process.argv and run when it is loaded. It is exempt as a whole, and nothing may import it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseSource, readSources, relativeImports, srcDir, where, type SourceFile } from './sources.js';

/** The CLI entry (bin "latentrec" bundles it): the only file allowed to run code when loaded. */
const CLI_ENTRY = 'cli/main.ts';

const PURE_COLLECTIONS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet']);

/** Whether the comments just before a call say /* @__PURE__ *\/ (or #__PURE__), as bundlers read them. */
function markedPure(file: SourceFile, node: ts.Node): boolean {
  return /\/\*\s*[@#]__PURE__\s*\*\//.test(file.ast.text.slice(node.pos, node.getStart(file.ast)));
}

/** Why an expression would run code when evaluated at module level, or undefined when it is inert. */
function notInert(file: SourceFile, node: ts.Expression): ts.Node | undefined {
  const first = (nodes: readonly (ts.Node | undefined)[]): ts.Node | undefined => {
    for (const n of nodes) {
      const bad = n && notInertNode(file, n);
      if (bad) return bad;
    }
    return undefined;
  };
  if (
    ts.isLiteralExpression(node) || // strings, numbers, bigints, regular expressions, `plain templates`
    ts.isIdentifier(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    node.kind === ts.SyntaxKind.ThisKeyword ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node)
  ) {
    return undefined;
  }
  if (ts.isTemplateExpression(node)) return first(node.templateSpans.map((s) => s.expression));
  if (ts.isPropertyAccessExpression(node)) return notInert(file, node.expression);
  if (ts.isElementAccessExpression(node)) return first([node.expression, node.argumentExpression]);
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    return notInert(file, node.expression);
  }
  if (ts.isTypeOfExpression(node) || ts.isVoidExpression(node)) return notInert(file, node.expression);
  if (ts.isPrefixUnaryExpression(node)) {
    return node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken ? node : notInert(file, node.operand);
  }
  if (ts.isBinaryExpression(node)) {
    const assignment = node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
    return assignment ? node : first([node.left, node.right]);
  }
  if (ts.isConditionalExpression(node)) return first([node.condition, node.whenTrue, node.whenFalse]);
  if (ts.isArrayLiteralExpression(node)) return first(node.elements);
  if (ts.isSpreadElement(node)) return notInert(file, node.expression);
  if (ts.isObjectLiteralExpression(node)) {
    return first(
      node.properties.flatMap((p) => {
        const key = p.name && ts.isComputedPropertyName(p.name) ? [p.name.expression] : [];
        if (ts.isPropertyAssignment(p)) return [...key, p.initializer];
        if (ts.isSpreadAssignment(p)) return [p.expression];
        return key; // shorthand, methods, accessors: nothing runs
      }),
    );
  }
  if (ts.isClassExpression(node)) return notInertClass(file, node);
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const args = node.arguments ?? [];
    if (markedPure(file, node)) return first(args);
    const callee = node.expression;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(callee) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'Object' &&
      callee.name.text === 'freeze' &&
      args.length === 1
    ) {
      return notInert(file, args[0]!);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(callee) && PURE_COLLECTIONS.has(callee.text)) {
      if (args.length === 0) return undefined;
      if (args.length === 1 && ts.isArrayLiteralExpression(args[0]!)) return notInert(file, args[0]!);
    }
    return node;
  }
  return node; // await, yield, tagged templates, delete, x++, anything not listed above
}

function notInertNode(file: SourceFile, node: ts.Node): ts.Node | undefined {
  return ts.isExpression(node) ? notInert(file, node) : node;
}

/** The first part of a class that runs code when the class is defined. */
function notInertClass(file: SourceFile, node: ts.ClassLikeDeclaration): ts.Node | undefined {
  if (ts.getDecorators(node)?.length) return ts.getDecorators(node)![0];
  for (const clause of node.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
    for (const type of clause.types) {
      const bad = notInert(file, type.expression);
      if (bad) return bad;
    }
  }
  for (const member of node.members) {
    if (ts.isClassStaticBlockDeclaration(member)) return member;
    const decorators = ts.canHaveDecorators(member) ? ts.getDecorators(member) : undefined;
    if (decorators?.length) return decorators[0];
    if (member.name && ts.isComputedPropertyName(member.name)) {
      const bad = notInert(file, member.name.expression);
      if (bad) return bad;
    }
    const isStatic = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    if (isStatic && ts.isPropertyDeclaration(member) && member.initializer) {
      const bad = notInert(file, member.initializer);
      if (bad) return bad;
    }
  }
  return undefined;
}

/** The statements of a module body (or namespace body) that run code when it loads. */
function offending(file: SourceFile, statements: readonly ts.Statement[]): string[] {
  const found: string[] = [];
  const flag = (statement: ts.Node, culprit: ts.Node) =>
    found.push(culprit === statement ? where(file, statement) : `${where(file, statement)}\n      runs: ${where(file, culprit).replace(/^[^:]+:\d+: /, '')}`);
  for (const [i, s] of statements.entries()) {
    const declared = ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
    if (
      declared ||
      ts.isImportDeclaration(s) ||
      ts.isImportEqualsDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isFunctionDeclaration(s) ||
      ts.isInterfaceDeclaration(s) ||
      ts.isTypeAliasDeclaration(s) ||
      ts.isEnumDeclaration(s) ||
      ts.isEmptyStatement(s)
    ) {
      continue;
    }
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression) && statements.slice(0, i).every((p) => ts.isExpressionStatement(p) && ts.isStringLiteral(p.expression))) {
      continue; // a directive prologue: 'use strict'
    }
    if (ts.isClassDeclaration(s)) {
      const bad = notInertClass(file, s);
      if (bad) flag(s, bad);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const bad = d.initializer && notInert(file, d.initializer);
        if (bad) flag(s, bad);
        if (!ts.isIdentifier(d.name) && d.initializer) flag(s, d.name); // destructuring runs iterators and getters
      }
    } else if (ts.isExportAssignment(s)) {
      const bad = notInert(file, s.expression);
      if (bad) flag(s, bad);
    } else if (ts.isModuleDeclaration(s) && s.body && ts.isModuleBlock(s.body)) {
      found.push(...offending(file, s.body.statements));
    } else {
      flag(s, s); // expression statements, if/for/while/do/try/switch/block/labelled/throw, top-level await
    }
  }
  return found;
}

const sources = readSources();

describe('src/ modules run nothing when imported', () => {
  it(`exempts only the CLI entry, src/${CLI_ENTRY}, which exists`, () => {
    expect(existsSync(resolve(srcDir, CLI_ENTRY))).toBe(true);
  });

  it('flags what runs code and passes what only declares (the rule itself, on examples)', () => {
    const inert = [
      "import { a } from './a.js';",
      "export { b } from './b.js';",
      "'use strict';",
      "export const relaxedBase64 = 'AGFzbQEAAAAB';",
      'const LIMIT = 1 << 20, EPS = 2 ** -52, NAME = `x${LIMIT}`;',
      'const f = Math.fround;',
      "export const DEFAULTS = { factors: 100, lr: 0.005, kinds: ['svd', 'mf'] as const, ...BASE, [KEY]: 1 } satisfies Defaults;",
      "const TABLE = Object.freeze({ a: 1, b: [1, 2] });",
      "const SEEN = new Set(['a', 'b']);",
      'const cache = new Map<string, number>();',
      'const decoder = /* @__PURE__ */ new TextDecoder();',
      'const make = (n: number) => new Float32Array(n);',
      'export function fit() { register(); }',
      'export class Model extends Base { static readonly KIND = "svd"; static make() { return new Model(); } }',
      'export enum Kind { A, B }',
      'export interface I { x: number }',
      'export type T = string;',
      'declare const g: number;',
      'export default { name: "x" };',
      'let restorer: (() => void) | undefined;',
    ];
    const running = [
      'registerRestorer((state) => state);',
      '/* @__PURE__ */ register();',
      'const restored = /* @__PURE__ */ register(compute());',
      'const x = compute();',
      'const TABLE = (() => new Uint32Array(256))();',
      'const NAMES = SIDES.flatMap((s) => [s.a, s.b]);',
      "const utf8 = new TextDecoder('utf-8');",
      'const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);',
      'const s = `${JSON.stringify(C)}`;',
      'const ROLE = new Map(Object.entries(NAMES));',
      'const data = await load();',
      'if (typeof window !== "undefined") setup();',
      'for (const k of KINDS) register(k);',
      'try { init(); } catch {}',
      'counter = 1;',
      'export default create();',
      'class A { static table = build(); }',
      'class B { static { init(); } }',
      'class C extends mixin(Base) {}',
      'const { a, b } = OPTIONS;',
      'const n = i++;',
      'const t = tag`x`;',
    ];
    const flagged = (line: string) => offending(parseSource('example.ts', line), parseSource('example.ts', line).ast.statements).length > 0;
    expect(inert.filter(flagged)).toEqual([]);
    expect(running.filter((line) => !flagged(line))).toEqual([]);
  });

  it(`is imported by no file of src/ (src/${CLI_ENTRY})`, () => {
    const importers = sources.filter((f) => relativeImports(f).some((i) => i.target === CLI_ENTRY)).map((f) => `src/${f.path}`);
    expect(importers).toEqual([]);
  });

  it('has no module-level statement that runs code (file:line: statement)', () => {
    const found = sources.filter((f) => f.path !== CLI_ENTRY).flatMap((f) => offending(f, f.ast.statements));
    console.log(`side effects: ${sources.length} files of src/ checked (src/${CLI_ENTRY} exempt), ${found.length} module-level statements that run code`);
    expect(found).toEqual([]);
  });
});
