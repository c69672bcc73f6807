import { crc32 } from './crc32';
import { jsonBytes } from './json-pieces';

/**
 * The journal's bytes on disk (format 2).
 *
 * A journal file starts with a 32-byte header:
 *   0  magic "PDJRNL\0\2"
 *   8  u32 generation (the number in the file's name)
 *  12  u32 reserved, 0
 *  16  u64 start LSN: the LSN just before the file's first frame
 *  24  u32 reserved, 0
 *  28  u32 CRC-32 of bytes 0-27
 *
 * Then frames, each a 20-byte header and a JSON payload:
 *   0  u32 payload length
 *   4  u64 LSN
 *  12  u32 CRC-32 of the payload
 *  16  u32 CRC-32 of bytes 0-15 of this header
 *
 * The header's own CRC means a damaged length is seen as damage, never taken
 * for a write that was cut short. A payload is a JSON array of ledger records,
 * or a control object: `{"journal":"continues","generation":N}` closes a file
 * when a checkpoint moves the journal on to the next generation.
 *
 * Files from before format 2 (no magic; frames of u32 length, u32 CRC over LSN
 * and payload, u64 LSN) are still read, so a ledger from an older PayDesk opens.
 */

export const fileMagic = Buffer.from('PDJRNL\u0000\u0002', 'latin1');
export const fileHeaderBytes = 32;
export const frameHeaderBytes = 20;
const legacyFrameHeaderBytes = 16;
/** A single record larger than this is a programmer error (a batch chunk is far smaller). */
export const maxRecordBytes = 256 * 1024 * 1024;
/**
 * A run of zero bytes this long reaching the end of a file is space the file
 * system allocated but whose data never reached the disk (a crash during an
 * append): a torn tail. A flipped bit cannot make one, and JSON holds no zero byte.
 */
export const unwrittenRunBytes = 16;

export interface JournalControl {
  journal: 'continues';
  generation: number;
}

export interface DecodedFrame {
  lsn: number;
  /** The ledger records, or null for a control frame. */
  records: unknown[] | null;
  control: JournalControl | null;
  offset: number;
}

/** How the bytes of one file end: whole, cut short by a crash (torn), or damaged. */
export type FileEnd =
  | { kind: 'whole' }
  | { kind: 'torn'; offset: number }
  | { kind: 'damaged'; offset: number; problem: string };

export interface DecodedFile {
  /** Null for a file from before format 2. */
  header: { generation: number; startLsn: number } | null;
  /** True when the file is too short to hold its header, or its header is unwritten zeros. */
  headerTorn: boolean;
  frames: DecodedFrame[];
  validBytes: number;
  end: FileEnd;
}

function writeLsn(target: Buffer, offset: number, lsn: number): void {
  target.writeUInt32LE(lsn % 0x1_0000_0000, offset);
  target.writeUInt32LE(Math.floor(lsn / 0x1_0000_0000), offset + 4);
}

function readLsn(source: Buffer, offset: number): number {
  return source.readUInt32LE(offset) + source.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

export function encodeFileHeader(generation: number, startLsn: number): Buffer {
  const header = Buffer.alloc(fileHeaderBytes);
  fileMagic.copy(header, 0);
  header.writeUInt32LE(generation, 8);
  writeLsn(header, 16, startLsn);
  header.writeUInt32LE(crc32(header, 0, 28), 28);
  return header;
}

/** A frame of `record` as JSON, written straight into the frame's buffer after its header (jsonBytes). */
export function encodeFrame(lsn: number, record: unknown): Buffer {
  const { buffer: frame, textBytes } = jsonBytes(record, frameHeaderBytes);
  if (textBytes > maxRecordBytes) throw new Error(`journal record of ${textBytes} bytes is over the limit`);
  frame.writeUInt32LE(textBytes, 0);
  writeLsn(frame, 4, lsn);
  frame.writeUInt32LE(crc32(frame, frameHeaderBytes), 12);
  frame.writeUInt32LE(crc32(frame, 0, 16), 16);
  return frame;
}

/** Where the run of zero bytes that ends the file begins (the length when the last byte is not zero). */
function trailingZerosStart(bytes: Buffer): number {
  let start = bytes.length;
  while (start > 0 && bytes[start - 1] === 0) start--;
  return start;
}

/**
 * True when the file ends in space that was allocated but never written, and
 * that space begins in [from, to): the crash-cut append a torn tail is made of.
 */
function unwrittenBetween(bytes: Buffer, from: number, to: number): boolean {
  const start = trailingZerosStart(bytes);
  return start >= from && start < to && bytes.length - start >= Math.min(unwrittenRunBytes, bytes.length - from);
}

function parsePayload(bytes: Buffer, start: number, end: number): { records: unknown[] | null; control: JournalControl | null } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8', start, end));
  } catch {
    return null;
  }
  if (Array.isArray(parsed)) return { records: parsed, control: null };
  const control = parsed as Partial<JournalControl> | null;
  if (control !== null && control.journal === 'continues' && Number.isInteger(control.generation)) {
    return { records: null, control: { journal: 'continues', generation: control.generation! } };
  }
  return null;
}

/** Decodes one journal file without judging it: the caller knows where in the journal it stands. */
export function decodeJournalFile(bytes: Buffer): DecodedFile {
  if (bytes.length < fileMagic.length || !bytes.subarray(0, fileMagic.length).equals(fileMagic)) {
    if (bytes.length < fileHeaderBytes && fileMagic.subarray(0, bytes.length).equals(bytes)) {
      return { header: null, headerTorn: true, frames: [], validBytes: 0, end: { kind: 'torn', offset: 0 } };
    }
    if (trailingZerosStart(bytes) === 0) return { header: null, headerTorn: true, frames: [], validBytes: 0, end: { kind: 'torn', offset: 0 } };
    return decodeLegacyFile(bytes);
  }
  if (bytes.length < fileHeaderBytes) return { header: null, headerTorn: true, frames: [], validBytes: 0, end: { kind: 'torn', offset: 0 } };
  if (crc32(bytes, 0, 28) !== bytes.readUInt32LE(28)) {
    return { header: null, headerTorn: false, frames: [], validBytes: 0, end: { kind: 'damaged', offset: 0, problem: 'the file header fails its checksum' } };
  }
  const header = { generation: bytes.readUInt32LE(8), startLsn: readLsn(bytes, 16) };
  const frames: DecodedFrame[] = [];
  let offset = fileHeaderBytes;
  const end = decodeFrames(bytes, offset, frames, (next) => (offset = next));
  return { header, headerTorn: false, frames, validBytes: offset, end };
}

function decodeFrames(bytes: Buffer, start: number, frames: DecodedFrame[], advance: (offset: number) => void): FileEnd {
  let offset = start;
  while (offset < bytes.length) {
    // A header cut short by the end of the file is an append the crash interrupted.
    if (bytes.length - offset < frameHeaderBytes) return { kind: 'torn', offset };
    if (crc32(bytes, offset, offset + 16) !== bytes.readUInt32LE(offset + 16)) {
      if (unwrittenBetween(bytes, offset, offset + frameHeaderBytes)) return { kind: 'torn', offset };
      return { kind: 'damaged', offset, problem: 'a frame header fails its checksum' };
    }
    const payloadBytes = bytes.readUInt32LE(offset);
    const lsn = readLsn(bytes, offset + 4);
    const payloadEnd = offset + frameHeaderBytes + payloadBytes;
    if (payloadBytes > maxRecordBytes) return { kind: 'damaged', offset, problem: `a frame claims ${payloadBytes} bytes` };
    if (payloadEnd > bytes.length) return { kind: 'torn', offset };
    if (crc32(bytes, offset + frameHeaderBytes, payloadEnd) !== bytes.readUInt32LE(offset + 12)) {
      if (unwrittenBetween(bytes, offset + frameHeaderBytes, payloadEnd)) return { kind: 'torn', offset };
      return { kind: 'damaged', offset, problem: `the frame of LSN ${lsn} fails its checksum` };
    }
    const payload = parsePayload(bytes, offset + frameHeaderBytes, payloadEnd);
    if (payload === null) return { kind: 'damaged', offset, problem: `the frame of LSN ${lsn} holds no readable record` };
    frames.push({ lsn, ...payload, offset });
    offset = payloadEnd;
    advance(offset);
  }
  return { kind: 'whole' };
}

/** Format 1: frames of u32 length, u32 CRC over LSN and payload, u64 LSN; no file header. */
function decodeLegacyFile(bytes: Buffer): DecodedFile {
  const frames: DecodedFrame[] = [];
  let offset = 0;
  let end: FileEnd = { kind: 'whole' };
  while (offset < bytes.length) {
    if (bytes.length - offset < legacyFrameHeaderBytes) {
      end = { kind: 'torn', offset };
      break;
    }
    const payloadBytes = bytes.readUInt32LE(offset);
    const payloadEnd = offset + legacyFrameHeaderBytes + payloadBytes;
    if (payloadBytes > maxRecordBytes || payloadEnd > bytes.length) {
      end = { kind: 'torn', offset };
      break;
    }
    const lsn = readLsn(bytes, offset + 8);
    const payload = crc32(bytes, offset + 8, payloadEnd) === bytes.readUInt32LE(offset + 4)
      ? parsePayload(bytes, offset + legacyFrameHeaderBytes, payloadEnd)
      : null;
    if (payload === null) {
      end = unwrittenBetween(bytes, offset, payloadEnd)
        ? { kind: 'torn', offset }
        : { kind: 'damaged', offset, problem: `the frame at LSN ${lsn} fails its checksum` };
      break;
    }
    frames.push({ lsn, ...payload, offset });
    offset = payloadEnd;
  }
  return { header: null, headerTorn: false, frames, validBytes: offset, end };
}
