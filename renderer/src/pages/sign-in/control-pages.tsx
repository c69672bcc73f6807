import type { ReactNode } from 'react';
import { roleAllows, type Operator, type Role } from '../../../../shared/access';
import type { RouteId } from '../../lib/route';
import { AuditPage } from '../audit/AuditPage';
import { BackupsPage } from '../operators/BackupsPage';
import { ChangePasswordButton } from '../operators/ChangePasswordDialog';
import { OperatorsPage } from '../operators/OperatorsPage';
import { PendingPage } from '../pending/PendingPage';
import { useSessionStore } from './session-store';

/** Pages of issue 8, for AppShell's router; null for every other route. */
export function controlPage(route: RouteId): ReactNode | null {
  switch (route) {
    case 'pending':
      return <PendingPage />;
    case 'audit':
      return <AuditPage />;
    case 'operators':
      return <OperatorsPage />;
    case 'backups':
      return <BackupsPage />;
    default:
      return null;
  }
}

/** Navigation entries shown only to these roles (core refuses their channels to anyone else anyway). */
const routeRoles: Partial<Record<RouteId, Role>> = { operators: 'administrator', backups: 'administrator' };

export function routeVisible(route: RouteId, operator: Operator | null): boolean {
  const needed = routeRoles[route];
  return needed === undefined || (operator !== null && roleAllows(operator.role, needed));
}

/** The header's right side: who is signed in, with which role, and Sign out. */
export function OperatorBadge() {
  const operator = useSessionStore((state) => state.operator);
  const signOut = useSessionStore((state) => state.signOut);
  if (operator === null) return null;
  return (
    <span className="operator-badge">
      <span data-testid="current-operator">
        {operator.displayName} ({operator.role})
      </span>
      <ChangePasswordButton />
      <button type="button" className="sign-out" onClick={() => void signOut()}>
        Sign out
      </button>
    </span>
  );
}
