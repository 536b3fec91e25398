import { useEffect } from 'react';
import { hashOf, routeFromHash, type Page } from '../store/routes';
import { useAppStore } from '../store/use-app-store';
import { LoadDialog, LoginDialog, PushDialog, RenameDialog, SaveDialog, TagDialog } from './action-dialogs';
import {
  PruneImagesDialog,
  PruneVolumesDialog,
  RemoveContainerDialog,
  RemoveContainersDialog,
  RemoveImageDialog,
  RemoveVolumeDialog,
} from './confirm-dialogs';
import { ConnectionNotice } from './connection-notice';
import { ContainerPage } from './container-page';
import { ContainersPage } from './containers-page';
import { DashboardPage } from './dashboard-page';
import { ErrorBanner } from './error-banner';
import { ImagesPage } from './images-page';
import { Modal } from './modal';
import { PullDialog } from './pull-dialog';
import { BuildDialog } from './build-dialog';
import { RunDialog } from './run-dialog';
import { SettingsPage } from './settings-page';
import { ShortcutsHelp, useShortcuts } from './shortcuts';
import { Sidebar } from './sidebar';
import { TasksPage } from './tasks-page';
import { VolumesPage } from './volumes-page';
import { NetworksPage } from './networks-page';
import { ProjectDownDialog } from './project-down-dialog';
import { ProjectsPage } from './projects-page';
import { useTransport } from './transport-context';

function useTheme(): void {
  const theme = useAppStore((s) => s.theme);
  useEffect(() => {
    // No attribute means "follow the system" (prefers-color-scheme in styles.css).
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
}

function Dialogs() {
  const dialog = useAppStore((s) => s.dialog);
  const close = useAppStore((s) => s.openDialog);
  if (!dialog) return null;
  if (dialog.kind === 'run') return <RunDialog image={dialog.image} />;
  if (dialog.kind === 'pull') return <PullDialog />;
  if (dialog.kind === 'build') return <BuildDialog />;
  if (dialog.kind === 'remove-container') return <RemoveContainerDialog id={dialog.id} then={dialog.then} />;
  if (dialog.kind === 'remove-containers') return <RemoveContainersDialog ids={dialog.ids} />;
  if (dialog.kind === 'remove-image') return <RemoveImageDialog id={dialog.id} />;
  if (dialog.kind === 'prune-images') return <PruneImagesDialog />;
  if (dialog.kind === 'remove-volume') return <RemoveVolumeDialog name={dialog.name} />;
  if (dialog.kind === 'prune-volumes') return <PruneVolumesDialog />;
  if (dialog.kind === 'rename') return <RenameDialog id={dialog.id} />;
  if (dialog.kind === 'tag') return <TagDialog id={dialog.id} />;
  if (dialog.kind === 'push') return <PushDialog reference={dialog.reference} />;
  if (dialog.kind === 'load') return <LoadDialog />;
  if (dialog.kind === 'save') return <SaveDialog reference={dialog.reference} />;
  if (dialog.kind === 'login') return <LoginDialog registry={dialog.registry} />;
  if (dialog.kind === 'project-down') return <ProjectDownDialog project={dialog.project} />;
  return (
    <Modal title="Keyboard shortcuts" onClose={() => close(null)}>
      <ShortcutsHelp />
    </Modal>
  );
}

function CurrentPage() {
  const route = useAppStore((s) => s.route);
  const pages: Record<Exclude<Page, 'container'>, () => React.ReactElement> = {
    dashboard: () => <DashboardPage key="dashboard" />,
    containers: () => <ContainersPage key="containers" />,
    projects: () => <ProjectsPage key="projects" />,
    images: () => <ImagesPage key="images" />,
    volumes: () => <VolumesPage key="volumes" />,
    networks: () => <NetworksPage key="networks" />,
    tasks: () => <TasksPage key="tasks" />,
    settings: () => <SettingsPage key="settings" />,
  };
  if (route.page === 'container' && route.id) return <ContainerPage key={route.id} id={route.id} tab={route.tab ?? 'overview'} />;
  if (route.page === 'container') return pages.containers();
  return pages[route.page]();
}

export function App() {
  const setRoute = useAppStore((s) => s.setRoute);
  // Without the engine every action would fail or queue: the page says so and disables them.
  const offline = useAppStore((s) => s.connection !== 'open');
  const transport = useTransport();
  useTheme();
  useShortcuts();

  useEffect(() => {
    const onHashChange = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [setRoute]);

  // The tray's "Open a shell" and notification clicks arrive as navigate commands.
  useEffect(
    () =>
      transport.desktop?.onUiCommand((command) => {
        if (command.type === 'navigate') window.location.hash = hashOf(routeFromHash(command.hash));
      }),
    [transport],
  );

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar />
      <main className="content" id="main">
        <ConnectionNotice />
        <ErrorBanner />
        <fieldset className="page-fieldset" disabled={offline} data-testid="page-actions" data-offline={offline}>
          <CurrentPage />
        </fieldset>
      </main>
      <fieldset className="page-fieldset" disabled={offline}>
        <Dialogs />
      </fieldset>
    </div>
  );
}
