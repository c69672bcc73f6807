/**
 * Where the Electron shell serves the renderer: a privileged app:// origin
 * (never file://). Kept apart from security.ts, which imports electron, so the
 * IPC sender check can be tested without Electron.
 */
export const appOrigin = { scheme: 'app', protocol: 'app:', host: 'paydesk' } as const;
export const appIndexUrl = `${appOrigin.scheme}://${appOrigin.host}/index.html`;
