/**
 * The Content Security Policy every PayDesk page runs under, and the other
 * response headers that go with it. The loopback host and the Electron shell
 * both send these with every response, so the browser enforces the same rules
 * whichever transport serves the renderer. renderer/index.html carries the
 * document part of the policy in a meta tag (for a page opened without either);
 * a unit test (test/unit/host.test.ts) keeps the two in step.
 *
 * No inline scripts, no eval, no remote origins: the renderer talks only to its
 * own origin (the host's /api, or nothing at all under Electron, where the
 * typed bridge carries the traffic). Inline styles are allowed because the
 * chart library writes style attributes.
 */
/** What a meta tag may carry: browsers ignore frame-ancestors there and log an error on every load. */
export const documentContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The header's policy: the document's, plus frame-ancestors, which only a header can enforce (no other site may frame PayDesk). */
export const contentSecurityPolicy = `${documentContentSecurityPolicy}; frame-ancestors 'none'`;

/** Headers that ride on every response, static or API. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
