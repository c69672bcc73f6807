import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32 } from '../../electron/core/storage/crc32';

/** The textbook table-driven CRC-32 (IEEE 802.3): an independent reference for the native one. */
function referenceCrc32(bytes: Uint8Array): number {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index++) {
    let value = index;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[index] = value >>> 0;
  }
  let crc = 0xffffffff;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

describe('journal frame CRC-32', () => {
  it('gives the IEEE check value for "123456789" both ways', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(referenceCrc32(bytes)).toBe(0xcbf43926);
  });

  it('agrees with the table version over any byte range', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % bytes.length;
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      expect(crc32(bytes, start, end)).toBe(referenceCrc32(bytes.subarray(start, end)));
    }));
  });
});
