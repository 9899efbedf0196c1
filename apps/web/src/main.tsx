import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import { Root } from './app/Root';

createRoot(document.getElementById('root')!).render(<Root />);
