import zlib from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3), used to tell a whole journal frame from a torn one:
 * zlib's native one (Node 20.15 and later, which the build tools need anyway),
 * at memory speed, where a JavaScript table loop was a twentieth of a
 * million-row batch's time.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return zlib.crc32(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}
