import { useEffect } from 'react';
import { pageFromHash } from '../store/ui-slice';
import { useAppStore } from '../store/use-app-store';
import { ConnectionNotice } from './connection-notice';
import { ContainersPage } from './containers-page';
import { ErrorBanner } from './error-banner';
import { ImagesPage } from './images-page';
import { Sidebar } from './sidebar';

export function App() {
  const page = useAppStore((state) => state.page);
  const setPage = useAppStore((state) => state.setPage);

  // The hash is the route so reloads and the back button keep the page, and
  // in Electron it never counts as a navigation (which main denies).
  useEffect(() => {
    const onHashChange = () => setPage(pageFromHash(window.location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [setPage]);

  return (
    <div className="app">
      <Sidebar />
      <main className="content">
        <ConnectionNotice />
        <ErrorBanner />
        {page === 'containers' ? <ContainersPage key="containers" /> : <ImagesPage key="images" />}
      </main>
    </div>
  );
}
