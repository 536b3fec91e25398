// The hash is the route, so reloads and the back button keep the page and,
// in Electron, it never counts as a navigation (which main denies).

export type Page = 'dashboard' | 'containers' | 'container' | 'projects' | 'images' | 'volumes' | 'networks' | 'tasks' | 'settings';
export type DetailTab = 'overview' | 'logs' | 'stats' | 'terminal';

export interface Route {
  page: Page;
  /** The container of a detail page. */
  id?: string;
  tab?: DetailTab;
}

const TOP: Page[] = ['dashboard', 'containers', 'projects', 'images', 'volumes', 'networks', 'tasks', 'settings'];
const TABS: DetailTab[] = ['overview', 'logs', 'stats', 'terminal'];

export function routeFromHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [first, id, tab] = parts;
  if (first === 'containers' && id) return { page: 'container', id, tab: TABS.includes(tab as DetailTab) ? (tab as DetailTab) : 'overview' };
  if (first && (TOP as string[]).includes(first)) return { page: first as Page };
  return { page: 'dashboard' };
}

export function hashOf(route: Route): string {
  if (route.page === 'container' && route.id) return `#/containers/${encodeURIComponent(route.id)}/${route.tab ?? 'overview'}`;
  return `#/${route.page}`;
}

export function sameRoute(a: Route, b: Route): boolean {
  return a.page === b.page && a.id === b.id && (a.tab ?? 'overview') === (b.tab ?? 'overview');
}
