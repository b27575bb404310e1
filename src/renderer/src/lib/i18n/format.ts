/** Numbers, percentages, durations, dates and errors in a language: pure, given the language's `t`. */
import type { TFunction } from 'i18next';
import { ERROR_CODES, errorMessage, type ErrorCode, type ErrorParams } from '$shared/errors';
import type { PathChoice, TrainPath } from '$shared/types';

export function makeFormat(lang: string, t: TFunction) {
  const nf = (min: number, max = min) => new Intl.NumberFormat(lang, { minimumFractionDigits: min, maximumFractionDigits: max });
  return {
    /** A whole or fixed-point number: 60000 → "60,000". */
    num: (v: number, digits = 0) => nf(digits).format(v),
    /** A small rate to two significant digits: 0.0002 → "0.0002", 0.02 → "0.02". */
    rate: (v: number) => new Intl.NumberFormat(lang, { maximumSignificantDigits: 2 }).format(v),
    /** A fraction as a percentage: 0.9763 → "97.63%". */
    pct: (v: number | null | undefined, digits = 1) =>
      v == null || !Number.isFinite(v)
        ? '—'
        : new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(v),
    /** Seconds as "42 s", "2:05" or "1 h 05 min" (Korean: "42초", "2분 05초", "1시간 05분"). */
    duration: (sec: number) => {
      if (!Number.isFinite(sec) || sec < 0) return '—';
      const s = Math.round(sec);
      const two = (n: number) => String(n).padStart(2, '0');
      if (s < 60) return t('time.sec', { s });
      if (s < 3600) return t('time.minSec', { m: Math.floor(s / 60), ss: two(s % 60) });
      return t('time.hourMin', { h: Math.floor(s / 3600), mm: two(Math.floor((s % 3600) / 60)) });
    },
    /** A date and time: medium date, short time. */
    date: (iso: string) => new Date(iso).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' }),
  };
}
export type Format = ReturnType<typeof makeFormat>;

const isCode = (c: unknown): c is ErrorCode => typeof c === 'string' && (ERROR_CODES as readonly string[]).includes(c);

/** A known error code worded from the catalogue; an unknown or missing code keeps the English text. */
export function wordError(t: TFunction, err: unknown): string {
  const e = err as { code?: unknown; params?: ErrorParams; error?: unknown } | null;
  if (isCode(e?.code)) return t(`errors.${e.code}`, e.params ?? {});
  if (err instanceof Error) return errorMessage(err);
  // An event's error ({ error, code?, params? }) without a known code keeps its English text.
  return typeof e?.error === 'string' ? e.error : String(err);
}

/** A message with inline `<b>…</b>` or `<code>…</code>` split into pieces, so markup can emphasise them without `{@html}`. */
export function rich(s: string): { text: string; tag: 'b' | 'code' | null }[] {
  const out: { text: string; tag: 'b' | 'code' | null }[] = [];
  let at = 0;
  for (const m of s.matchAll(/<(b|code)>(.*?)<\/\1>/g)) {
    if (m.index > at) out.push({ text: s.slice(at, m.index), tag: null });
    out.push({ text: m[2], tag: m[1] as 'b' | 'code' });
    at = m.index + m[0].length;
  }
  if (at < s.length) out.push({ text: s.slice(at), tag: null });
  return out;
}

/** Which path trains and why: "Training on fused kernels — measured 6,100 vs 1,200 samples/s on tfjs layers (wasm)". */
export function wordPath(t: TFunction, fmt: Format, c: PathChoice): string {
  const where = (p: TrainPath) => t(`status.pathWhere.${p}`, { backend: c.backend });
  const other: TrainPath = c.path === 'kernels' ? 'tfjs' : 'kernels';
  const speed = (p: TrainPath) => (p === 'kernels' ? c.kernelsPerSec : c.tfjsPerSec);
  const [chosen, rival] = [speed(c.path), speed(other)];
  const why =
    c.reason === 'measured' && chosen !== undefined && rival !== undefined
      ? t('status.pathWhy.measured', { chosen: fmt.num(chosen), other: fmt.num(rival), otherWhere: where(other) })
      : t(`status.pathWhy.${c.reason}`);
  return t('status.path', { where: where(c.path), why });
}
