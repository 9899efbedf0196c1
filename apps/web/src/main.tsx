import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import { Root } from './app/Root';
import { watchAccessibility } from './lib/a11y';

watchAccessibility();
createRoot(document.getElementById('root')!).render(<Root />);
