import { App as AntApp, ConfigProvider } from 'antd';
// The ES modules, as the rest of antd is bundled: 'antd/locale/*' are CommonJS files that brought a
// second copy of every locale (antd's, the picker's, the pagination's) into the first load (issue 15).
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import { currentLanguage } from '../i18n';
import { AppRoutes } from './routes';
import { theme } from './theme';
import { SessionProvider } from './session';

/** Ant Design's, dayjs's and our strings switch together. */
export function Root() {
  // useTranslation re-renders on every change of language; the language is read from it.
  const { i18n } = useTranslation();
  const lang = currentLanguage();
  dayjs.locale(lang === 'en-US' ? 'en' : 'zh-cn');
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.title');
  }, [lang, i18n]);
  return (
    <ConfigProvider locale={lang === 'en-US' ? enUS : zhCN} theme={theme}>
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
