import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
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

// Chinese is in the first load; English is fetched when asked for (issue 15: its strings were 27 KB
// of gzip on every Chinese reader's dashboard, pushing it over the 450 KB budget).
void i18n.use(initReactI18next).init({
  resources: {
    'zh-CN': { translation: zhCN.translation, problems: zhCN.problems },
  },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  ns: ['translation', 'problems'],
  defaultNS: 'translation',
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** Shows the UI in `lang`, fetching its strings first if this page has not yet. */
export async function switchLanguage(lang: Language): Promise<void> {
  if (lang === 'en-US' && !i18n.hasResourceBundle('en-US', 'translation')) {
    const { enUS } = await import('./en-US');
    i18n.addResourceBundle('en-US', 'translation', enUS.translation);
    i18n.addResourceBundle('en-US', 'problems', enUS.problems);
  }
  await i18n.changeLanguage(lang);
}

/** Settles once the remembered language is loaded and shown (main.tsx renders after it, so English readers see no Chinese first). */
export const languageReady: Promise<void> = storedLanguage() === 'zh-CN' ? Promise.resolve() : switchLanguage(storedLanguage()).catch(() => undefined);

/** The language the UI is showing now. */
export function currentLanguage(): Language {
  return asLanguage(i18n.language);
}

export default i18n;
