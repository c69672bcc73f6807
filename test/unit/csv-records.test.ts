import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvRecords, type CsvRecord } from '../../electron/core/batch/csv-source';
import { guessDelimiter, recordsOfText, unclosedQuoteLine } from '../../electron/core/csv/csv-records';
import { parseCsvStatement } from '../../electron/core/reconciliation/statement-csv';
import { useTempFolder } from '../support/temp-folder';

/**
 * Batch files and CSV statements are read by one CSV reader: the batch side
 * streams a file in pieces, the statement side reads a text whole, and both
 * see the same records with the same line numbers.
 */
const newFolder = useTempFolder('paydesk-csv-records-');

describe('the one CSV reader', () => {
  it('gives the batch reader, in any piece size, and the statement reader the same records and lines', async () => {
    const folder = newFolder();
    const cell = fc.stringMatching(/^[a-z ,;"\n]{0,10}$/);
    const quoted = (field: string) => (/[",;\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(',', ';'),
        fc.constantFrom('\n', '\r\n') as fc.Arbitrary<'\n' | '\r\n'>,
        fc.integer({ min: 1, max: 48 }),
        async (rows, delimiter, newline, pieceBytes) => {
          const text = [['a', 'b', 'c'], ...rows].map((row) => row.map(quoted).join(delimiter)).join(newline);
          const filePath = path.join(folder, 'same.csv');
          writeFileSync(filePath, text);
          const streamed: CsvRecord[] = [];
          for await (const group of readCsvRecords(filePath, { delimiter, newline, bomBytes: 0 }, pieceBytes)) streamed.push(...group);
          expect(recordsOfText(text, { delimiter, newline })).toEqual(streamed);
        },
      ),
      { numRuns: 150, seed: 21 },
    );
  });

  it('guesses the delimiter from the lines it is shown, outside quotes, the first candidate on a tie', () => {
    expect(guessDelimiter('a;b;"c,d,e"', [',', ';'])).toBe(';');
    expect(guessDelimiter('a b', [',', ';'])).toBe(',');
    expect(guessDelimiter('Kontoauszug\nDatum;Betrag;Text\n01.03.2024;1,50;x', [',', ';', '\t', '|'])).toBe(';');
  });

  it('finds the line a never-closed quote opens on, and the statement reader refuses the file there', () => {
    expect(unclosedQuoteLine('a,b\r\n"c,d\r\ne')).toBe(2);
    expect(unclosedQuoteLine('a,"b ""quoted"""\n')).toBeNull();
    expect(parseCsvStatement('date,amount,reference\n2024-03-01,1.00,"open\n2024-03-02,2.00,x\n', { dateOrder: 'auto', defaultCurrency: 'EUR' }))
      .toEqual({ ok: false, code: 'FF01', message: 'Line 2: a quoted field is never closed.' });
  });
});
