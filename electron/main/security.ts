import { app, protocol, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy, securityHeaders } from '../host/csp';
import { readStaticFile } from '../host/static-files';
import { appOrigin } from './app-origin';

/**
 * Electron's security checklist, applied in one place: the renderer is served
 * from a privileged app:// origin (never file://), every response carries the
 * CSP, no remote content loads, every permission is denied, and no page can
 * navigate, open windows or attach webviews.
 */

/** Must run before the app is ready. */
export function registerAppScheme() {
  protocol.registerSchemesAsPrivileged([
    { scheme: appOrigin.scheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves out/renderer under app://paydesk/ with the same path rules and headers as the loopback host. */
export function serveRenderer(session: Session, rendererFolder: string) {
  session.protocol.handle(appOrigin.scheme, async (request) => {
    const url = new URL(request.url);
    const file = url.host === appOrigin.host ? await readStaticFile(rendererFolder, url.pathname) : null;
    if (file === null) {
      return new Response('Not found', { status: 404, headers: { ...securityHeaders, 'Content-Type': 'text/plain' } });
    }
    return new Response(new Uint8Array(file.body), {
      headers: { ...securityHeaders, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' },
    });
  });
}

/**
 * Denies every permission, cancels every request that is not for our own
 * renderer (or the dev server in development), and adds the CSP header to
 * responses that did not come from our protocol handler.
 */
export function hardenSession(session: Session, devServerUrl: string | undefined) {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  const devOrigin = devServerUrl ? new URL(devServerUrl) : null;
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isOwnUrl(details.url, devOrigin) });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (devOrigin === null) headers['Content-Security-Policy'] = [contentSecurityPolicy];
    headers['X-Content-Type-Options'] = ['nosniff'];
    callback({ responseHeaders: headers });
  });
}

function isOwnUrl(url: string, devOrigin: URL | null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === appOrigin.protocol) return parsed.host === appOrigin.host;
  if (parsed.protocol === 'devtools:' || parsed.protocol === 'data:') return true;
  if (devOrigin === null) return false;
  // The dev server also serves its hot-reload socket on the same host and port.
  return parsed.host === devOrigin.host && ['http:', 'ws:'].includes(parsed.protocol);
}

/** No page may navigate away, open a window, or attach a webview; applies to every webContents ever created. */
export function lockDownWebContents() {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
