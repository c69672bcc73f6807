import type { PayDeskDeskApi } from '../../../shared/desk';

declare global {
  interface Window {
    paydeskDesk?: PayDeskDeskApi;
  }
}

/** What the desktop shell offers beyond the engine (shared/desk.ts); null in a browser on the loopback host, which has no shell. */
export function desktopShell(): PayDeskDeskApi | null {
  return typeof window === 'undefined' ? null : (window.paydeskDesk ?? null);
}
