import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PasswordCipher } from '../../electron/main/desk-settings';

/**
 * Stands in for Electron's safeStorage, which cannot run outside Electron:
 * real AES-256-GCM under a key of the test's own, with the same slice of
 * methods. Decrypting under another key fails, as safeStorage's does for
 * another user; `available: false` is a computer without a keyring.
 */
export function aesCipher(key = randomBytes(32), available = true): PasswordCipher {
  return {
    isEncryptionAvailable: () => available,
    encryptString(plainText) {
      if (!available) throw new Error('encryption is not available');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
