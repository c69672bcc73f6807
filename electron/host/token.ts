import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of randomness in an access token: 24 bytes print as 32 base64url characters. */
export const accessTokenBytes = 24;

export function createAccessToken(): string {
  return randomBytes(accessTokenBytes).toString('base64url');
}

/**
 * Compares a presented token with the expected one in constant time. Both are
 * hashed first so the comparison never depends on, or leaks, their lengths.
 */
export function tokensMatch(presented: string | null | undefined, expected: string): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  const presentedDigest = createHash('sha256').update(presented, 'utf8').digest();
  const expectedDigest = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(presentedDigest, expectedDigest);
}
