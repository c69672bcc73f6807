import { failure, success, type Result } from './result';

/**
 * Turns a statement file's bytes into text before any parser sees it, the
 * same way in the renderer and in the CLI (TextDecoder exists in both). A
 * UTF-8 byte order mark wins; then the encoding an XML declaration names
 * (UTF-8, or ISO-8859-1 / Latin-1 / Windows-1252); a file without a
 * declaration is UTF-8 when it decodes as UTF-8 and ISO-8859-1 otherwise
 * (MT940 and CSV files from older bank systems often are). Any other
 * declared encoding is refused rather than misread.
 */

export interface DecodedStatement {
  text: string;
  /** The encoding the bytes were read in: `UTF-8` or `ISO-8859-1`. */
  encoding: 'UTF-8' | 'ISO-8859-1';
}

/** Bytes looked at for an XML declaration. */
const declarationBytes = 256;
const latinNames = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'iso_8859-1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii']);

function declaredEncoding(bytes: Uint8Array): string | null {
  let head = '';
  for (let index = 0; index < Math.min(bytes.length, declarationBytes); index++) head += String.fromCharCode(bytes[index]);
  const declaration = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']/.exec(head);
  return declaration === null ? null : declaration[1].toLowerCase();
}

function latin1(bytes: Uint8Array): string {
  // windows-1252 is what TextDecoder gives for every ISO-8859-1 label (WHATWG); it agrees on every printable ISO-8859-1 character.
  return new TextDecoder('windows-1252').decode(bytes);
}

export function decodeStatementBytes(bytes: Uint8Array): Result<DecodedStatement> {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return success({ text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'UTF-8' });
  }
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return failure('FF01', 'The file is written in UTF-16; save it as UTF-8 or ISO-8859-1.');
  }
  const declared = declaredEncoding(bytes);
  if (declared !== null && latinNames.has(declared)) return success({ text: latin1(bytes), encoding: 'ISO-8859-1' });
  if (declared !== null && declared !== 'utf-8' && declared !== 'utf8') {
    return failure('FF01', `The XML declaration names the encoding ${declared}; only UTF-8 and ISO-8859-1 are read.`);
  }
  try {
    return success({ text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' });
  } catch {
    if (declared !== null) return failure('FF01', 'The file declares UTF-8 but holds bytes that are not UTF-8.');
    return success({ text: latin1(bytes), encoding: 'ISO-8859-1' });
  }
}
