import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router-dom';
import type { Language } from '../i18n';
import { AppRoutes } from './routes';
import { SessionProvider } from './session';

/** Ant Design's, dayjs's and our strings switch together. */
export function Root() {
  const { i18n } = useTranslation();
  const [lang, setLang] = useState<Language>(i18n.language === 'en-US' ? 'en-US' : 'zh-CN');
  useEffect(() => {
    const onChange = (l: string) => setLang(l === 'en-US' ? 'en-US' : 'zh-CN');
    i18n.on('languageChanged', onChange);
    return () => i18n.off('languageChanged', onChange);
  }, [i18n]);
  dayjs.locale(lang === 'en-US' ? 'en' : 'zh-cn');
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = i18n.t('app.title');
  }, [lang, i18n]);
  return (
    <ConfigProvider locale={lang === 'en-US' ? enUS : zhCN} theme={{ token: { colorPrimary: '#b71c1c', borderRadius: 4 } }}>
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
