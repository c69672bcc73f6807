import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { elementsPerPiece, jsonBytes, jsonPieces } from '../../electron/core/storage/json-pieces';
import { decodeJournalFile, encodeFileHeader, encodeFrame } from '../../electron/core/storage/journal-format';

/** A payments record of a batch chunk, as the journal holds it. */
function paymentsRecord(rows: number, reference: (seq: number) => string) {
  return {
    t: 'payments',
    rows: Array.from({ length: rows }, (_, index) => ({
      seq: index + 1, id: `P-${index + 1}`, d: 'ACME-OPS', c: 'GLOBEX', a: 253, cur: 'EUR', ref: reference(index + 1), s: 1, code: 'ACSC', msg: null,
      ch: 'batch', b: 'b-1', l: index + 2, at: 1_764_000_000_000 + index, skipped: undefined,
    })),
  };
}

describe('JSON written in pieces', () => {
  it('is byte for byte what JSON.stringify writes, for any JSON value and for long lists of records', () => {
    const bytesMatch = (value: unknown) => jsonBytes(value).buffer.equals(Buffer.from(JSON.stringify(value), 'utf8'));
    const same = (value: unknown) => expect(jsonBytes(value).buffer.toString('utf8')).toBe(JSON.stringify(value));
    fc.assert(fc.property(fc.jsonValue(), bytesMatch), { numRuns: 2_000 });
    const longLists = fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: elementsPerPiece - 2, maxLength: elementsPerPiece * 3 });
    fc.assert(fc.property(longLists, (list) => bytesMatch([{ t: 'x', rows: list }])), { numRuns: 50 });
    // Members JSON.stringify leaves out or turns into null, a toJSON of its own, text beyond ASCII and characters it escapes.
    const reference = (seq: number) => (seq % 3 === 0 ? `Zahlung für Müller ${seq} 💶` : `Invoice "${seq}"\n\\`);
    same([paymentsRecord(1_000, reference), { t: 'batch-progress', id: 'b-1', at: new Date(0) }]);
    same([[undefined, () => 1, Symbol('s'), null], { nested: { rows: Array.from({ length: 450 }, (_, index) => (index % 2 === 0 ? undefined : index)) } }]);
  });

  it('keeps a batch chunk in pieces of a few hundred rows, not one large string', () => {
    const pieces = jsonPieces([paymentsRecord(1_000, (seq) => `Invoice ${seq}`), { t: 'batch-progress', rowsDone: 1_000 }]);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(64 * 1024);
    expect(pieces.join('').length).toBeGreaterThan(150_000);
  });

  it('makes journal frames that decode to the records they were made from', () => {
    const records = [paymentsRecord(1_000, (seq) => `Invoice ${seq} für 💶`)];
    const file = Buffer.concat([encodeFileHeader(1, 0), encodeFrame(1, records), encodeFrame(2, [{ t: 'batch-status', id: 'b-1' }])]);
    const decoded = decodeJournalFile(file);
    expect(decoded.end).toEqual({ kind: 'whole' });
    expect(decoded.frames.map((frame) => frame.lsn)).toEqual([1, 2]);
    expect(decoded.frames[0].records).toEqual(JSON.parse(JSON.stringify(records)));
  });
});
