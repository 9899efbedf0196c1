import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { enUS } from './en-US';
import { zhCN } from './zh-CN';

/**
 * One i18n layer for every string of the UI. Chinese first: zh-CN unless the user chose English,
 * and the choice is remembered in this browser.
 */
export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'jixiao.language';

/** English if asked for, Chinese otherwise (also for anything i18next might report, such as 'cimode'). */
const asLanguage = (v: string | null | undefined): Language => (v === 'en-US' ? 'en-US' : 'zh-CN');

export function storedLanguage(): Language {
  try {
    return asLanguage(localStorage.getItem(STORAGE_KEY));
  } catch {
    return 'zh-CN';
  }
}

export function rememberLanguage(lang: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: zhCN.translation, problems: zhCN.problems },
    'en-US': { translation: enUS.translation, problems: enUS.problems },
  },
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  ns: ['translation', 'problems'],
  defaultNS: 'translation',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** The language the UI is showing now. */
export function currentLanguage(): Language {
  return asLanguage(i18n.language);
}

export default i18n;
