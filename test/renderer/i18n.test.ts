import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { CATALOGS, LANGS, pickLang } from '../../src/renderer/src/lib/i18n/catalog';
import { makeFormat, wordError, wordPath } from '../../src/renderer/src/lib/i18n/format';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, pre = ''): Record<string, string> =>
  Object.fromEntries(Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [[pre + k, v]] : Object.entries(flat(v, `${pre}${k}.`)))));
const en = flat(CATALOGS.en as unknown as Tree);
const ko = flat(CATALOGS.ko as unknown as Tree);
const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

async function instance(lng: string) {
  const i = i18next.createInstance();
  await i.init({
    lng,
    initAsync: false,
    interpolation: { escapeValue: false },
    resources: { en: { translation: CATALOGS.en }, ko: { translation: CATALOGS.ko } },
  });
  return i;
}

describe('message catalogue', () => {
  it('has every key in both languages, each a non-empty string with the same placeholders', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      expect(v.trim(), k).not.toBe('');
      expect(ko[k].trim(), k).not.toBe('');
      expect(vars(ko[k]), k).toEqual(vars(v));
    }
  });

  it('chooses plural forms through Intl.PluralRules', async () => {
    const e = await instance('en');
    expect(e.t('draw.samplesSaved', { count: 1 })).toBe('1 sample saved');
    expect(e.t('draw.samplesSaved', { count: 2 })).toBe('2 samples saved');
    expect(e.t('draw.samplesSaved', { count: 0 })).toBe('0 samples saved');
    const k = await instance('ko');
    expect(k.t('draw.samplesSaved', { count: 1 })).toBe('저장한 샘플 1개');
    expect(k.t('evaluate.cell', { t: 3, p: 5, count: 2 })).toBe('2: 실제 3, 예측 5인 숫자의 수');
    expect(e.t('evaluate.cell', { t: 3, p: 5, count: 1 })).toBe('1 digit: true 3, predicted 5');
  });

  it('formats numbers, percentages, durations and dates in the chosen language', async () => {
    const e = makeFormat('en', (await instance('en')).t);
    const k = makeFormat('ko', (await instance('ko')).t);
    expect(e.num(60000)).toBe('60,000');
    expect(k.num(60000)).toBe('60,000');
    expect([0.0002, 0.002, 0.02, 0.001].map(e.rate)).toEqual(['0.0002', '0.002', '0.02', '0.001']);
    expect((await instance('ko')).t('train.curveOnecycle', { start: k.rate(0.002), peak: k.rate(0.02), end: k.rate(0.0002) })).toBe(
      '0.002에서 0.02까지 올린 뒤 0.0002까지 서서히 낮춤',
    );
    expect(e.pct(0.97634, 2)).toBe('97.63%');
    expect(k.pct(0.5)).toBe('50.0%');
    expect(e.pct(null)).toBe('—');
    expect(e.duration(12.4)).toBe('12 s');
    expect(e.duration(65)).toBe('1:05');
    expect(e.duration(3725)).toBe('1 h 02 min');
    expect(e.duration(NaN)).toBe('—');
    expect(k.duration(12.4)).toBe('12초');
    expect(k.duration(65)).toBe('1분 05초');
    expect(k.duration(3725)).toBe('1시간 02분');
    expect(k.date('2026-03-05T09:30:00')).toMatch(/2026\. 3\. 5\./);
    expect(e.date('2026-03-05T09:30:00')).toMatch(/Mar 5, 2026/);
  });

  it("words main's error codes in the chosen language and falls back to the English text", async () => {
    const ko = (await instance('ko')).t;
    const coded = Object.assign(new Error('samples:delete: sample s1234567 does not exist'), { code: 'noSuchSample', params: { id: 's1234567' } });
    expect(wordError(ko, coded)).toBe('샘플 s1234567이(가) 없습니다.');
    expect(wordError((await instance('en')).t, coded)).toBe('Sample s1234567 does not exist.');
    expect(wordError(ko, Object.assign(new Error('something new'), { code: 'fromTheFuture' }))).toBe('something new');
    expect(wordError(ko, new Error('model:trace: the model could not be run'))).toBe('model:trace: the model could not be run');
    // A trainer crash arrives as an event, not an Error: worded by its code, else its English text.
    const crash = {
      error: 'the trainer process stopped unexpectedly (it was killed by SIGKILL); the active model is unchanged',
      code: 'trainerKilled',
      params: { signal: 'SIGKILL' },
    };
    expect(wordError(ko, crash)).toBe('학습 프로세스가 예기치 않게 멈췄습니다(SIGKILL 신호로 종료). 활성 모델은 그대로입니다.');
    expect(wordError(ko, { error: 'training failed: something new' })).toBe('training failed: something new');
  });

  it('follows a saved choice, else Korean for a ko locale and English for the rest', () => {
    expect(LANGS).toEqual(['en', 'ko']);
    expect(pickLang(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(pickLang(null, ['en-US', 'ko'])).toBe('ko');
    expect(pickLang(null, ['de-DE'])).toBe('en');
    expect(pickLang('en', ['ko-KR'])).toBe('en');
    expect(pickLang('ko', ['en-US'])).toBe('ko');
    expect(pickLang('fr', ['en-US'])).toBe('en');
  });

  it('says which path trains and why, in English and Korean, with localised numbers', async () => {
    const e = await instance('en');
    const ef = makeFormat('en', e.t);
    const measured = { path: 'kernels', reason: 'measured', backend: 'wasm', kernelsPerSec: 6100.4, tfjsPerSec: 1200 } as const;
    expect(wordPath(e.t, ef, measured)).toBe('Training on fused kernels — measured 6,100 vs 1,200 samples/s on tfjs layers (wasm)');
    expect(wordPath(e.t, ef, { ...measured, path: 'tfjs', kernelsPerSec: 900 })).toBe(
      'Training on tfjs layers (wasm) — measured 1,200 vs 900 samples/s on fused kernels',
    );
    expect(wordPath(e.t, ef, { ...measured, reason: 'cached' })).toBe('Training on fused kernels — chosen earlier on this machine');
    expect(wordPath(e.t, ef, { path: 'tfjs', reason: 'forced', backend: 'tensorflow' })).toBe('Training on tfjs layers (tensorflow) — set by RNN_LENS_KERNELS');
    expect(wordPath(e.t, ef, { path: 'tfjs', reason: 'only', backend: 'cpu' })).toBe('Training on tfjs layers (cpu) — the only path that runs this model');
    const k = await instance('ko');
    const kf = makeFormat('ko', k.t);
    expect(wordPath(k.t, kf, measured)).toBe('학습 경로: 퓨즈드 커널 — 측정 결과 초당 샘플 6,100개, tfjs 레이어(wasm) 쪽은 1,200개');
    expect(wordPath(k.t, kf, { ...measured, reason: 'cached' })).toBe('학습 경로: 퓨즈드 커널 — 이 컴퓨터에서 전에 측정해 고른 경로');
    expect(wordPath(k.t, kf, { path: 'kernels', reason: 'forced', backend: 'wasm' })).toBe('학습 경로: 퓨즈드 커널 — RNN_LENS_KERNELS로 지정됨');
  });
});
