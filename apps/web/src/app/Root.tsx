import { App as AntApp, ConfigProvider } from 'antd';
// The ES modules, as the rest of antd is bundled: 'antd/locale/*' are CommonJS files that brought a
// second copy of every locale (antd's, the picker's, the pagination's) into the first load (issue 15).
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { currentLanguage } from '../i18n';
import { AppRoutes } from './routes';
import { theme } from './theme';
import { SessionProvider } from './session';

const REDUCED_MOTION = '(prefers-reduced-motion: reduce)';
const reducedMotion = {
  subscribe(onChange: () => void) {
    const query = window.matchMedia(REDUCED_MOTION);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  },
  get: () => window.matchMedia(REDUCED_MOTION).matches,
};

/**
 * Ant Design's, dayjs's and our strings switch together. A reader who asked the system for less
 * motion (vestibular disorders; WCAG 2.3.3) gets none: Ant Design's fades, slides and zooms are
 * off (its `motion` token), and styles.css stops our own transitions.
 */
export function Root() {
  // useTranslation re-renders on every change of language; the language is read from it.
  const { i18n } = useTranslation();
  const lang = currentLanguage();
  const still = useSyncExternalStore(reducedMotion.subscribe, reducedMotion.get);
  const themed = useMemo(() => (still ? { ...theme, token: { ...theme.token, motion: false } } : theme), [still]);
  dayjs.locale(lang === 'en-US' ? 'en' : 'zh-cn');
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.title');
  }, [lang, i18n]);
  return (
    <ConfigProvider locale={lang === 'en-US' ? enUS : zhCN} theme={themed}>
      <AntApp>
        <BrowserRouter>
          <SessionProvider>
            <AppRoutes />
          </SessionProvider>
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}
