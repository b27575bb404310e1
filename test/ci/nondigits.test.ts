/**
 * The non-digit set's generator: the committed set is the one drawn from its seed, other seeds
 * draw other drawings of the same kinds, and its flags are refused by name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, NONDIGIT_SEED } from '../../scripts/make-nondigits';

const committed = join(process.cwd(), 'test', 'data', 'nondigits');
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join('scripts', 'make-nondigits.ts'), ...args], { encoding: 'utf8' });

describe('the non-digit generator', () => {
  it('draws the committed set from its seed, and other drawings of the same kinds from another', () => {
    const own = build(NONDIGIT_SEED);
    expect(own.bytes.equals(readFileSync(join(committed, 'nondigits.bin')))).toBe(true);
    const other = build(7);
    expect(other.index).toBe(own.index);
    expect(other.bytes.length).toBe(own.bytes.length);
    // Every drawing after the first kinds differs: the dots (40) first, then the scribbles and the rest.
    let differ = 0;
    for (let i = 0; i < own.bytes.length / 784; i++)
      if (!own.bytes.subarray(i * 784, (i + 1) * 784).equals(other.bytes.subarray(i * 784, (i + 1) * 784))) differ++;
    expect(differ).toBeGreaterThan(400);
  });

  it("writes another seed's set where it is told, and refuses bad flags by name without touching the committed set", () => {
    const dir = mkdtempSync(join(tmpdir(), 'nondigits-'));
    const file = join(committed, 'nondigits.bin');
    const before = readFileSync(file);
    try {
      const ok = run('--seed', '7', '--out', dir);
      expect(ok.status, ok.stderr).toBe(0);
      expect(readFileSync(join(dir, 'nondigits.bin')).equals(build(7).bytes)).toBe(true);
      const bad = run('--seed', '7');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('the committed set is drawn from seed 2026: give --out for another seed');
      expect(readFileSync(file).equals(before)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      // Were the refusal broken, the committed set would have been overwritten: put it back.
      if (!readFileSync(file).equals(before)) writeFileSync(file, before);
    }
  }, 30_000);
});
