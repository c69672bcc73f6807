/**
 * JSON.stringify's text, made as pieces small enough for V8's young
 * generation. One string for a batch chunk's frame is about 200 KB: V8 puts
 * a string that large in its large-object space, mapped fresh from the
 * kernel and unmapped when collected, and has to copy it flat before it can
 * be written as UTF-8. A million-row batch did that a thousand times, and the
 * page faults alone cost about a second of system time. A record's long list
 * of rows is stringified a slice at a time instead, and each piece is written
 * into the frame's buffer on its own. The bytes are exactly JSON.stringify's.
 */

/** Array elements stringified per piece: about 40 KB for payment rows, well under V8's large-object size. */
export const elementsPerPiece = 200;

/** The pieces whose concatenation is JSON.stringify(value); `value` must be JSON-serialisable (not undefined). */
export function jsonPieces(value: unknown): string[] {
  const pieces: string[] = [];
  addPieces(value, pieces);
  return pieces;
}

/** JSON.stringify(value) as UTF-8, written piece by piece into a buffer of `before` bytes, the text, and `after` bytes. */
export function jsonBytes(value: unknown, before = 0, after = 0): { buffer: Buffer; textBytes: number } {
  const pieces = jsonPieces(value);
  let textBytes = 0;
  for (const piece of pieces) textBytes += Buffer.byteLength(piece, 'utf8');
  // Not from Buffer's shared pool: a frame lives until its write, and a pooled one would keep its whole pool alive.
  const buffer = Buffer.allocUnsafeSlow(before + textBytes + after);
  let offset = before;
  for (const piece of pieces) offset += buffer.write(piece, offset, 'utf8');
  return { buffer, textBytes };
}

function addPieces(value: unknown, pieces: string[]): void {
  if (Array.isArray(value) && value.length > elementsPerPiece) addArrayPieces(value, pieces);
  else if (Array.isArray(value)) addElementPieces(value, pieces);
  else if (isPlainObject(value)) addObjectPieces(value, pieces);
  else pieces.push(JSON.stringify(value));
}

/** A long array: elements a slice at a time (JSON.stringify of the slice, without its brackets). */
function addArrayPieces(elements: readonly unknown[], pieces: string[]): void {
  pieces.push('[');
  for (let start = 0; start < elements.length; start += elementsPerPiece) {
    const slice = JSON.stringify(elements.slice(start, start + elementsPerPiece));
    pieces.push(start === 0 ? slice.slice(1, -1) : `,${slice.slice(1, -1)}`);
  }
  pieces.push(']');
}

/** A short array (a frame's records): each element on its own, so a record holding a long array is split too. */
function addElementPieces(elements: readonly unknown[], pieces: string[]): void {
  pieces.push('[');
  elements.forEach((element, index) => {
    if (index > 0) pieces.push(',');
    // JSON.stringify writes null for an element it cannot serialise.
    if (element === undefined || typeof element === 'function' || typeof element === 'symbol') pieces.push('null');
    else addPieces(element, pieces);
  });
  pieces.push(']');
}

/** An object whose own text JSON.stringify would write key by key: members in order, those it leaves out left out. */
function addObjectPieces(object: Record<string, unknown>, pieces: string[]): void {
  pieces.push('{');
  let first = true;
  for (const [key, member] of Object.entries(object)) {
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    pieces.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    addPieces(member, pieces);
    first = false;
  }
  pieces.push('}');
}

/** A plain data object: JSON.stringify writes its own enumerable members, with no toJSON of its own to call. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
