/** The pure rules of a training run's settings: the Train form's choices and clamps, the learning-rate schedules and the fine-tune mixing rule. */
import { describe, expect, it } from 'vitest';
import { FINETUNE_REQUEST, PRESETS } from '../../src/shared/presets';
import { clampSetting, FINETUNE, finetuneMix, learningRateAt, ONE_CYCLE, TRAIN_BOUNDS, TRAIN_CHOICES, TUTORIAL_CONFIG } from '../../src/shared/training';
import { TrainStart } from '../../src/shared/contract';

describe('training settings', () => {
  it('clamps a typed value into the bounds the contract accepts, not a tighter range', () => {
    expect(clampSetting('epochs', 500)).toBe(500);
    expect(clampSetting('epochs', TRAIN_BOUNDS.epochs.max + 1)).toBe(TRAIN_BOUNDS.epochs.max);
    expect(clampSetting('epochs', 0)).toBe(TRAIN_BOUNDS.epochs.min);
    expect(clampSetting('epochs', 2.6)).toBe(3);
    expect(clampSetting('epochs', Number.NaN)).toBe(TRAIN_BOUNDS.epochs.min);
    expect(clampSetting('limit', -5)).toBe(0);
    // Whatever it yields, the contract takes.
    for (const v of [-1, 0, 1, 99, 100, 101, 999, 1000, 1001, 1e9])
      expect(TrainStart.safeParse({ ...PRESETS[0].request, epochs: clampSetting('epochs', v) }).success).toBe(true);
  });

  it('offers only values inside the bounds, and every preset value among them', () => {
    for (const name of Object.keys(TRAIN_CHOICES) as (keyof typeof TRAIN_CHOICES)[]) {
      const { min, max } = TRAIN_BOUNDS[name];
      for (const v of TRAIN_CHOICES[name]) {
        expect(v, name).toBeLessThanOrEqual(max);
        expect(v, name).toBeGreaterThanOrEqual(name === 'learningRate' ? Number.MIN_VALUE : min);
      }
    }
    for (const request of [...PRESETS.map((p) => p.request), { ...TUTORIAL_CONFIG, ...FINETUNE_REQUEST }])
      for (const name of Object.keys(TRAIN_CHOICES) as (keyof typeof TRAIN_CHOICES)[])
        expect(TRAIN_CHOICES[name] as readonly number[], `${name} ${request[name]}`).toContain(request[name]);
  });
});

describe('learningRateAt', () => {
  it('constant keeps the rate; one cycle warms up to the peak, then decays to its end value', () => {
    const steps = 200;
    const lr = 0.01;
    const rates = Array.from({ length: steps }, (_, s) => learningRateAt('onecycle', lr, s, steps));
    expect(Array.from({ length: steps }, (_, s) => learningRateAt('constant', lr, s, steps))).toEqual(new Array(steps).fill(lr));
    const warm = Math.round(ONE_CYCLE.warmup * steps);
    expect(rates[0]).toBeCloseTo(lr * ONE_CYCLE.start, 12);
    expect(rates[warm]).toBeCloseTo(lr, 12);
    expect(Math.max(...rates)).toBeCloseTo(lr, 12);
    expect(rates[steps - 1]).toBeCloseTo(lr * ONE_CYCLE.end, 12);
    for (let s = 1; s <= warm; s++) expect(rates[s]).toBeGreaterThan(rates[s - 1]);
    for (let s = warm + 1; s < steps; s++) expect(rates[s]).toBeLessThan(rates[s - 1]);
    // Halfway through the decay the cosine is at the midpoint.
    const mid = warm + (steps - 1 - warm) / 2;
    expect(learningRateAt('onecycle', lr, mid, steps)).toBeCloseTo(lr * (ONE_CYCLE.end + (1 - ONE_CYCLE.end) / 2), 12);
  });

  it('one cycle by hand over 12 steps: two of warm-up from a tenth of the peak, then cosine down to a hundredth', () => {
    const lr = 0.5;
    // warm-up = round(0.15 · 12) = 2 steps; the decay runs over steps 2..11, t = (s − 2) / 9.
    const want = [0.1, 0.55, ...Array.from({ length: 10 }, (_, i) => 0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * i) / 9)))].map((f) => f * lr);
    Array.from({ length: 12 }, (_, s) => learningRateAt('onecycle', lr, s, 12)).forEach((rate, s) => expect(rate, `step ${s}`).toBeCloseTo(want[s], 12));
    // Past the last step it stays at the end value.
    expect(learningRateAt('onecycle', lr, 15, 12)).toBeCloseTo(0.01 * lr, 12);
  });

  it('a run of one step, or a schedule too short to warm up, still starts from a sensible rate', () => {
    expect(learningRateAt('onecycle', 0.3, 0, 1)).toBe(0.3);
    expect(learningRateAt('onecycle', 0.3, 0, 0)).toBe(0.3);
    // Two steps: one of warm-up (at least one), then the decay over max(1, 0) steps starts at the peak.
    expect(learningRateAt('onecycle', 0.3, 0, 2)).toBeCloseTo(0.03, 12);
    expect(learningRateAt('onecycle', 0.3, 1, 2)).toBeCloseTo(0.3, 12);
    // Three steps: warm-up round(0.45) = 0, taken as 1.
    expect(learningRateAt('onecycle', 0.3, 1, 3)).toBeCloseTo(0.3, 12);
    expect(learningRateAt('onecycle', 0.3, 2, 3)).toBeCloseTo(0.003, 12);
  });
});

describe('finetuneMix', () => {
  it('gives the user copies about a quarter of the MNIST digits, at least one and at most 100 copies of each sample', () => {
    expect(FINETUNE).toEqual({ mnistDigits: 6000, sampleShare: 0.25, maxCopies: 100 });
    expect(finetuneMix(0, 0)).toEqual({ mnist: 6000, copies: 0, total: 6000 });
    expect(finetuneMix(0, 5)).toEqual({ mnist: 6000, copies: 100, total: 6500 }); // 300 capped at 100
    expect(finetuneMix(6000, 60)).toEqual({ mnist: 6000, copies: 25, total: 7500 });
    expect(finetuneMix(400, 3)).toEqual({ mnist: 400, copies: 33, total: 499 });
    expect(finetuneMix(6000, 5000)).toEqual({ mnist: 6000, copies: 1, total: 11000 }); // 0.3 rounds up to the minimum of 1
    expect(finetuneMix(60000, 10, 2000)).toEqual({ mnist: 2000, copies: 50, total: 2500 }); // bounded by the digits there are
  });
});
