/**
 * The renderer's language: i18next over the typed catalogues, a reactive current
 * language (so every `t(…)` in markup re-renders on a switch), the choice kept in
 * localStorage, and Intl formats for that language.
 */
import i18next, { type TFunction } from 'i18next';
import { CATALOGS, pickLang, type Lang } from './catalog';
import { makeFormat, wordError } from './format';

const KEY = 'rnn-lens-lang';

function saved(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

const initial = pickLang(saved(), navigator.languages?.length ? navigator.languages : [navigator.language]);
void i18next.init({
  lng: initial,
  fallbackLng: 'en',
  initAsync: false,
  interpolation: { escapeValue: false },
  resources: { en: { translation: CATALOGS.en }, ko: { translation: CATALOGS.ko } },
});

class I18n {
  lang = $state<Lang>(initial);

  set(lang: Lang): void {
    this.lang = lang;
    void i18next.changeLanguage(lang);
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(KEY, lang);
    } catch {
      // Private windows may refuse storage; the choice then lasts for this page only.
    }
  }
}

export const i18n = new I18n();
document.documentElement.lang = initial;

/** Translate a key in the current language; reading `i18n.lang` makes callers reactive. */
export const t = ((...args: Parameters<TFunction>) => {
  void i18n.lang;
  return (i18next.t as unknown as (...a: unknown[]) => string)(...args);
}) as TFunction;

const now = () => makeFormat(i18n.lang, t);
/** Numbers, percentages, durations and dates in the current language (reactive like `t`). */
export const fmt: ReturnType<typeof makeFormat> = {
  num: (v, digits) => now().num(v, digits),
  rate: (v) => now().rate(v),
  pct: (v, digits) => now().pct(v, digits),
  duration: (sec) => now().duration(sec),
  date: (iso) => now().date(iso),
};

/** An error's words in the current language: a known code is worded from the catalogue, anything else keeps its English text. */
export const describeError = (err: unknown): string => wordError(t, err);
