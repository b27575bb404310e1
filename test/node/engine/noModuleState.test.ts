/**
 * No module-level mutable state in the engine: what lives as long as a process (a kernel
 * runtime, a worker pool, a loaded test set) is an object an entry point makes and passes
 * down. A top-level `let` or `var`, or a top-level const holding a mutable Map, Set, WeakMap
 * or array, fails here (a readonly-typed or `as const` one passes). tfjs's backend is process-wide by tfjs's own design;
 * backend.ts mirrors it, and is the one file allowed to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENGINE = join(process.cwd(), 'src', 'node', 'engine');
const ALLOWED: Record<string, string> = {
  'backend.ts': 'tfjs keeps one backend per process; this records which one initBackend settled on',
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'assembly' ? [] : files(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('kernelWasm.ts') ? [p] : [];
  });
}

/** Top-level declarations that hold mutable state, as "line name (what)". */
function moduleState(file: string, text: string): string[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const line = (n: ts.Node) => src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1;
  for (const st of src.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const d of st.declarationList.declarations) {
      const name = d.name.getText(src);
      if (!isConst) {
        found.push(`${line(d)} ${name} (let/var)`);
        continue;
      }
      const typed = d.type?.getText(src) ?? '';
      if (/^Readonly|^readonly /.test(typed)) continue;
      let init = d.initializer;
      while (init && (ts.isAsExpression(init) || ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))) {
        if (ts.isAsExpression(init) && init.type.getText(src) === 'const') {
          init = undefined;
          break;
        }
        init = init.expression;
      }
      if (!init) continue;
      const mutable = ts.isArrayLiteralExpression(init) || (ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(init.expression.getText(src)));
      if (mutable) found.push(`${line(d)} ${name} (${init.getText(src).slice(0, 30)})`);
    }
  }
  return found;
}

describe('the engine keeps no state at module level', () => {
  it('finds a top-level let, a mutable Map and an array literal, and passes constants and readonly tables', () => {
    const text = [
      'let seen = 0;',
      'const pool: Worker[] = [];',
      'const cache = new Map<string, number>();',
      'const TABLE: ReadonlyMap<string, number> = new Map([["a", 1]]);',
      "const NAMES = ['a', 'b'] as const;",
      'const LIMIT = 3;',
      'function f() { let x = 1; const m = new Map(); return x + m.size; }',
    ].join('\n');
    expect(moduleState('x.ts', text)).toEqual(['1 seen (let/var)', '2 pool ([])', '3 cache (new Map<string, number>())']);
  });

  it('holds for every file of src/node/engine', () => {
    const found = files(ENGINE).flatMap((f) => {
      const rel = relative(ENGINE, f);
      if (Object.hasOwn(ALLOWED, rel)) return [];
      return moduleState(f, readFileSync(f, 'utf8')).map((s) => `${rel}:${s}`);
    });
    expect(found).toEqual([]);
  });
});
