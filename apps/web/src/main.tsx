// First: the first load's requests go out before anything renders (src/preload.ts).
import './preload';
import { createRoot } from 'react-dom/client';
import { languageReady } from './i18n';
// Ant Design's rules, static (zero-runtime: src/app/theme.ts), before ours so that ours win at equal specificity.
import 'antd/dist/antd.css';
import './styles.css';
import { Root } from './app/Root';
import { watchAccessibility } from './lib/a11y';

watchAccessibility();
void languageReady.then(() => createRoot(document.getElementById('root')!).render(<Root />));
