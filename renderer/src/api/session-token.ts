/**
 * The loopback host prints a URL such as http://127.0.0.1:PORT/#token=abc.
 * The token authenticates every request; it lives in sessionStorage so a
 * reload keeps working, and is taken out of the visible URL so it does not
 * end up in screenshots or copied links.
 */

export const sessionTokenStorageKey = 'paydesk.token';

/** Reads `token=` from a location hash such as "#token=abc" or "#/payments&token=abc". */
export function readTokenFromHash(hash: string): string | null {
  const parameters = hashParameters(hash);
  for (const parameter of parameters) {
    const [name, ...valueParts] = parameter.split('=');
    if (name !== 'token') continue;
    const value = decodeURIComponent(valueParts.join('='));
    return value === '' ? null : value;
  }
  return null;
}

/** The same hash without its token parameter: "#token=abc" becomes "", "#/payments&token=abc" becomes "#/payments". */
export function hashWithoutToken(hash: string): string {
  const kept = hashParameters(hash).filter((parameter) => !parameter.startsWith('token='));
  return kept.length === 0 ? '' : `#${kept.join('&')}`;
}

function hashParameters(hash: string): string[] {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  return body.split('&').filter((parameter) => parameter !== '');
}

interface TokenEnvironment {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * Takes the token from the URL when the host just opened the page, otherwise
 * from sessionStorage. Returns null when neither holds one.
 */
export function captureSessionToken(environment: TokenEnvironment): string | null {
  const { location, history, storage } = environment;
  const fromHash = readTokenFromHash(location.hash);
  if (fromHash === null) return storage.getItem(sessionTokenStorageKey);
  storage.setItem(sessionTokenStorageKey, fromHash);
  history.replaceState(history.state, '', `${location.pathname}${location.search}${hashWithoutToken(location.hash)}`);
  return fromHash;
}
