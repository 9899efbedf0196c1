// First: the first load's requests go out before anything renders (src/preload.ts).
import './preload';
import { createRoot } from 'react-dom/client';
import { languageReady } from './i18n';
import './styles.css';
import { Root } from './app/Root';
import { watchAccessibility } from './lib/a11y';

watchAccessibility();
void languageReady.then(() => createRoot(document.getElementById('root')!).render(<Root />));
