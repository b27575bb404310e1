/** CI fails on a message key that no code uses, a key used but missing, or an error code without words. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en as catalog } from '../src/renderer/src/lib/i18n/en';
import { ERROR_CODES } from '../src/shared/errors';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, pre = ''): Record<string, string> =>
  Object.fromEntries(Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [[pre + k, v]] : Object.entries(flat(v, `${pre}${k}.`)))));
const en = flat(catalog as unknown as Tree);
const base = (k: string) => k.replace(/_(one|other)$/, '');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(svelte|ts)$/.test(f) && !/^(en|ko)\.ts$/.test(f) ? [readFileSync(p, 'utf8')] : [];
  });
}

describe('message keys', () => {
  it('uses every key somewhere in the renderer, and words every error code', () => {
    const code = sources(join(process.cwd(), 'src/renderer/src')).join('\n');
    const literal = new Set([...code.matchAll(/\bt\(\s*'([\w.]+)'/g)].map((m) => m[1]));
    for (const m of code.matchAll(/'(viz\.story\w+)'/g)) literal.add(m[1]);
    const dynamic = [...code.matchAll(/\bt\(\s*`([\w.${}]+)`/g)].map((m) => new RegExp(`^${m[1].replace(/\./g, '\\.').replace(/\$\{[^}]+\}/g, '[\\w-]+')}$`));
    const unused = [...new Set(Object.keys(en).map(base))].filter((k) => !literal.has(k) && !dynamic.some((r) => r.test(k)));
    expect(unused).toEqual([]);
    const missing = [...literal].filter((k) => !(k in en) && !(`${k}_other` in en));
    expect(missing).toEqual([]);
    expect(Object.keys(catalog.errors).sort()).toEqual([...ERROR_CODES].sort());
  });
});
