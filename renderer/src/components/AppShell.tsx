import { useEffect } from 'react';
import { api } from '../api/client';
import { hashForRoute, routes, useRoute, type RouteId } from '../lib/route';
import { connectEngine, usePayDeskStore } from '../store';
import { DashboardPage } from '../pages/dashboard/DashboardPage';
import { BatchesPage } from '../pages/batches/BatchesPage';
import { ReconciliationPage } from '../pages/reconciliation/ReconciliationPage';
import { AccountsPage } from './AccountsPage';
import { PaymentsPage } from './PaymentsPage';
import { StatusBar } from './StatusBar';
import './app-header.css';
import { controlPage, OperatorBadge, routeVisible } from '../pages/sign-in/control-pages';
import { useSessionStore } from '../pages/sign-in/session-store';

export function AppShell() {
  const route = useRoute();
  useEffect(() => connectEngine(usePayDeskStore, api), []);
  return (
    <div className="app-shell">
      <SkipLink />
      <AppHeader />
      <Navigation current={route} />
      <main className="page" id="page-content" tabIndex={-1} aria-labelledby="page-title">
        {controlPage(route) ?? (route === 'dashboard' ? <DashboardPage /> : route === 'accounts' ? <AccountsPage /> : route === 'batches' ? <BatchesPage />
          : route === 'reconciliation' ? <ReconciliationPage /> : <PaymentsPage />)}
      </main>
      <StatusBar />
    </div>
  );
}

/**
 * The first Tab stop: jumps past the header and the navigation to the page.
 * The router owns the hash, so the link moves focus itself instead of navigating.
 */
function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#page-content"
      onClick={(event) => {
        event.preventDefault();
        document.getElementById('page-content')?.focus();
      }}
    >
      Skip to the page
    </a>
  );
}

function AppHeader() {
  const fileName = usePayDeskStore((state) => state.ledgerInfo?.fileName);
  const demo = usePayDeskStore((state) => state.ledgerInfo?.demo === true);
  return (
    <header className="app-header">
      <span className="product">PayDesk</span>
      <span className="ledger-file" title="The open ledger file">
        {fileName === undefined ? 'No ledger open' : `Ledger: ${fileName}`}
      </span>
      {demo ? <span className="demo-badge" data-testid="demo-badge" title="Made-up data: not a real ledger">Demo ledger</span> : null}
      <OperatorBadge />
    </header>
  );
}

function Navigation({ current }: { current: RouteId }) {
  const operator = useSessionStore((state) => state.operator);
  return (
    <nav className="navigation" aria-label="Main">
      <ul>
        {routes.filter((route) => routeVisible(route.id, operator)).map((route) => (
          <li key={route.id}>
            <a href={hashForRoute(route.id)} aria-current={route.id === current ? 'page' : undefined}>
              {route.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
