import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import { createTransport } from './api';
import { App } from './components/app';
import { TransportContext } from './components/transport-context';
import { createAppStore } from './store/app-store';
import { syncWithEngine } from './store/engine-sync';
import { routeFromHash } from './store/routes';
import { StoreContext } from './store/use-app-store';
import './styles.css';

const transport = createTransport(window);
const store = createAppStore(transport, routeFromHash(window.location.hash));
syncWithEngine(store, transport);

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <TransportContext.Provider value={transport}>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </TransportContext.Provider>
  </StrictMode>,
);
