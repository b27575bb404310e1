/** The languages the app speaks and how one is picked: pure, so tests can use it without a DOM. */
import { en, type Catalog } from './en';
import { ko } from './ko';

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];
export const CATALOGS: Record<Lang, Catalog> = { en, ko };
/** Each language's name in itself, for the switcher. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', ko: '한국어' };

/** A saved choice wins; otherwise Korean for a ko locale, English for anything else. */
export function pickLang(saved: string | null, locales: readonly string[]): Lang {
  if (saved === 'en' || saved === 'ko') return saved;
  return locales.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}
