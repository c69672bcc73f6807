import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, tableCrc32 } from '../../electron/core/storage/crc32';

describe('journal frame CRC-32', () => {
  it('gives the IEEE check value for "123456789" both ways', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(tableCrc32(bytes)).toBe(0xcbf43926);
  });

  it('agrees with the table version over any byte range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      expect(crc32(bytes, start, end)).toBe(tableCrc32(bytes.subarray(start, end)));
    }));
  });
});
