import { useSyncExternalStore } from 'react';

/** The pages the navigation offers. Dashboard, Batches and Reconciliation join when they exist. */
export const routes = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'payments', label: 'Payments' },
  { id: 'batches', label: 'Batches' },
  { id: 'reconciliation', label: 'Reconciliation' },
  { id: 'pending', label: 'Pending approvals' },
  { id: 'audit', label: 'Audit' },
  { id: 'operators', label: 'Operators' },
  { id: 'backups', label: 'Backups' },
] as const;

export type RouteId = (typeof routes)[number]['id'];

export function routeFromHash(hash: string): RouteId {
  const path = hash.replace(/^#\/?/, '').split(/[?&]/)[0];
  const known = routes.find((route) => route.id === path);
  return known?.id ?? 'accounts';
}

export function hashForRoute(route: RouteId): string {
  return `#/${route}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): RouteId {
  return useSyncExternalStore(subscribe, () => routeFromHash(window.location.hash));
}
