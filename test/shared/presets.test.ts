/** What the presets promise is what docs/BENCHMARKS.md measured. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/shared/presets';
import { TUTORIAL_CONFIG } from '../../src/shared/training';
import { en } from '../../src/renderer/src/lib/i18n/en';
import { ko } from '../../src/renderer/src/lib/i18n/ko';

const benchmarks = readFileSync('docs/BENCHMARKS.md', 'utf8');
const flat = (file: string) => readFileSync(file, 'utf8').replace(/\s+/g, ' ');

/** Median seconds from the click on Train to the finished summary for the Quick preset, from the benchmark table (`value s`). */
function clickToDone(): number {
  const row = /\| from the click on Train to the finished summary \| \**([\d.]+) s\**/.exec(benchmarks);
  if (!row) throw new Error('docs/BENCHMARKS.md has no "from the click on Train to the finished summary" row');
  return Number(row[1]);
}

describe('presets', () => {
  it('the Quick preset claims what a person waits for, click to done as measured: in the app in both languages and in both READMEs', () => {
    const quick = PRESETS.find((p) => p.id === 'quick')!;
    expect(quick.request).toMatchObject({ cell: 'gru', hidden: 64, epochs: 1, learningRate: 0.02, batchSize: 64, limit: 35_000, schedule: 'onecycle' });
    const sec = clickToDone();
    const english = /97% test accuracy about (\d+) s after you click Train/;
    const korean = /학습 시작을 누르고 약 (\d+)초 뒤 테스트 정확도 97%/;
    for (const [where, text, claim] of [
      ['preset blurb', quick.blurb, english],
      ['English catalogue', en.train.preset.quickBlurb, english],
      ['Korean catalogue', ko.train.preset.quickBlurb, korean],
      ['README', flat('README.md'), english],
      ['README.ko', flat('README.ko.md'), korean],
    ] as const) {
      const said = claim.exec(text);
      expect(said, where).not.toBeNull();
      expect(Math.abs(Number(said![1]) - sec), `${where} says ${said![1]} s, measured ${sec} s`).toBeLessThan(1);
    }
    // The measurement is the preset's own recipe, and the Korean button is the one the blurb names.
    expect(flat('docs/BENCHMARKS.md')).toContain('*Quick retrain* preset (GRU-64, batch 64, one cycle to 0.02 over 35,000 digits), 2 cores');
    expect(ko.train.train).toBe('학습 시작');
    expect(en.train.train).toBe('Train');
  });

  it('the Tutorial preset is exactly the tutorial: SimpleRNN-128, Adam 0.001 at a constant rate, batch 128, 30 epochs, all digits', () => {
    const tutorial = PRESETS.find((p) => p.id === 'tutorial')!;
    const { seed: _seed, ...config } = TUTORIAL_CONFIG;
    expect(tutorial.request).toEqual({ mode: 'scratch', ...config, schedule: 'constant' });
  });
});
