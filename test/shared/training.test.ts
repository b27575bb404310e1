/** The Train form's choices and clamps come from the shared bounds. */
import { describe, expect, it } from 'vitest';
import { FINETUNE_REQUEST, PRESETS } from '../../src/shared/presets';
import { clampSetting, TRAIN_BOUNDS, TRAIN_CHOICES, TUTORIAL_CONFIG } from '../../src/shared/training';
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
