/**
 * The Content Security Policy every PayDesk page runs under, and the other
 * response headers that go with it. The loopback host and the Electron shell
 * both send these with every response, so the browser enforces the same rules
 * whichever transport serves the renderer. renderer/index.html carries the same
 * policy in a meta tag; a unit test (test/unit/host.test.ts) keeps them identical.
 *
 * No inline scripts, no eval, no remote origins: the renderer talks only to its
 * own origin (the host's /api, or nothing at all under Electron, where the
 * typed bridge carries the traffic). Inline styles are allowed because the
 * chart library writes style attributes.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  // Ignored in a meta tag, enforced in the header: no other site may frame PayDesk.
  "frame-ancestors 'none'",
].join('; ');

/** Headers that ride on every response, static or API. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
