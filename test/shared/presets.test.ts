/** What the presets promise is what docs/BENCHMARKS.md measured. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/shared/presets';

const benchmarks = readFileSync('docs/BENCHMARKS.md', 'utf8');
const readme = readFileSync('README.md', 'utf8');

/** Seconds to `target` test accuracy for a preset, from the benchmark table. */
function timeTo(target: string, preset: string): number {
  const row = new RegExp(`\\| time to ${target.replace('.', '\\.')} test acc \\(${preset}\\) \\| (\\w+) \\|[^|]*\\| ([\\d.]+) s \\|`).exec(benchmarks);
  if (!row) throw new Error(`docs/BENCHMARKS.md has no "time to ${target} test acc (${preset})" row`);
  return Number(row[2]);
}

describe('presets', () => {
  it('the Quick preset claims the accuracy and time measured for it, in the app and in the README', () => {
    const quick = PRESETS.find((p) => p.id === 'quick')!;
    expect(quick.request).toMatchObject({ cell: 'gru', hidden: 128, epochs: 2, learningRate: 0.003, batchSize: 128 });
    const sec = timeTo('0.97', 'Quick retrain');
    const claim = /97% test accuracy after about (\d+) s/;
    for (const [where, text] of [
      ['blurb', quick.blurb],
      ['README', readme.replace(/\s+/g, ' ')],
    ]) {
      const said = claim.exec(text);
      expect(said, where).not.toBeNull();
      expect(Math.abs(Number(said![1]) - sec), `${where} says ${said![1]} s, measured ${sec} s`).toBeLessThan(1);
    }
    // The measurement is the preset's own: GRU-128 at 0.003 for two epochs.
    expect(benchmarks).toMatch(/\*Quick retrain\* preset \(GRU-128, Adam 0\.003,\s+2 epochs\)/);
  });
});
