import { describe, expect, it } from 'vitest';
import { captureSessionToken, hashWithoutToken, readTokenFromHash, sessionTokenStorageKey } from '../../renderer/src/api/session-token';

function fakeEnvironment(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>();
  if (stored !== null) storage.set(sessionTokenStorageKey, stored);
  const replaced: string[] = [];
  return {
    replaced,
    storage,
    environment: {
      location: { hash, pathname: '/', search: '' },
      history: { state: null, replaceState: (_state: unknown, _title: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
    },
  };
}

describe('session token', () => {
  it('reads the token the host printed in the URL hash', () => {
    expect(readTokenFromHash('#token=abc123')).toBe('abc123');
    expect(readTokenFromHash('#/payments&token=a%2Bb')).toBe('a+b');
  });

  it('finds no token in a plain route hash or an empty token', () => {
    expect(readTokenFromHash('#/accounts')).toBeNull();
    expect(readTokenFromHash('#token=')).toBeNull();
    expect(readTokenFromHash('')).toBeNull();
  });

  it('removes only the token from the hash and keeps the route', () => {
    expect(hashWithoutToken('#token=abc')).toBe('');
    expect(hashWithoutToken('#/payments&token=abc')).toBe('#/payments');
  });

  it('stores the token for reloads and takes it out of the visible URL', () => {
    const fake = fakeEnvironment('#token=secret');
    expect(captureSessionToken(fake.environment)).toBe('secret');
    expect(fake.storage.get(sessionTokenStorageKey)).toBe('secret');
    expect(fake.replaced).toEqual(['/']);
  });

  it('after a reload without a hash token, uses the stored token and leaves the URL alone', () => {
    const fake = fakeEnvironment('#/payments', 'kept');
    expect(captureSessionToken(fake.environment)).toBe('kept');
    expect(fake.replaced).toEqual([]);
  });
});
