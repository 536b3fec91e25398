import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createTransport } from './api';
import { App } from './components/app';
import { createAppStore } from './store/app-store';
import { syncWithEngine } from './store/engine-sync';
import { pageFromHash } from './store/ui-slice';
import { StoreContext } from './store/use-app-store';
import './styles.css';

const transport = createTransport(window);
const store = createAppStore(transport, pageFromHash(window.location.hash));
syncWithEngine(store, transport);

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>
  </StrictMode>,
);
