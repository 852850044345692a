// Where the person is (the route, kept in the address's #hash so Back works and screens can be
// linked), and the short messages the app shows them.
import { createStore } from '../lib/store.js';

export type Route =
  | { page: 'projects' }
  | { page: 'plugins' }
  | { page: 'plugin'; name: string }
  | { page: 'catalog' }
  | { page: 'runs'; runId?: string }
  | { page: 'settings' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  switch (parts[0]) {
    case 'projects':
      return { page: 'projects' };
    case 'plugin':
      return parts[1] ? { page: 'plugin', name: parts[1] } : { page: 'plugins' };
    case 'catalog':
      return { page: 'catalog' };
    case 'runs':
      return parts[1] ? { page: 'runs', runId: parts[1] } : { page: 'runs' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'plugins' };
  }
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'plugin':
      return `#/plugin/${encodeURIComponent(route.name)}`;
    case 'runs':
      return route.runId ? `#/runs/${encodeURIComponent(route.runId)}` : '#/runs';
    default:
      return `#/${route.page}`;
  }
}

export const routeStore = createStore<Route>(
  parseRoute(typeof location === 'undefined' ? '' : location.hash),
);

export function navigate(route: Route): void {
  const hash = routeHash(route);
  if (location.hash !== hash) location.hash = hash;
  routeStore.set(route);
}

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => routeStore.set(parseRoute(location.hash)));
}

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'danger';
  title: string;
  text?: string;
}

export const toastStore = createStore<Toast[]>([]);
let nextToast = 1;

export function toast(t: Omit<Toast, 'id'>, ms = 5000): void {
  const id = nextToast++;
  toastStore.set((list) => [...list, { ...t, id }]);
  setTimeout(() => dismissToast(id), ms);
}

export function dismissToast(id: number): void {
  toastStore.set((list) => list.filter((t) => t.id !== id));
}
