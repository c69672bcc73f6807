import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, mappingProblems, suggestMapping, validationReportCsv } from '../../shared/batch';
import { BatchFileError, detectDialect, readCsvRecords, type CsvDialect, type CsvRecord } from '../../electron/core/batch/csv-source';
import { useTempFolder } from '../support/temp-folder';

const fixtures = path.join(import.meta.dirname, '../fixtures/batch');
const fixture = (name: string) => path.join(fixtures, name);
const newFolder = useTempFolder('paydesk-batch-parse-');

function rowsArbitrary(cell: fc.Arbitrary<string>) {
  return fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 30 });
}

async function readAll(filePath: string, dialect?: CsvDialect, pieceBytes?: number): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const group of readCsvRecords(filePath, dialect ?? (await detectDialect(filePath)), pieceBytes)) records.push(...group);
  return records;
}

describe('batch file dialect', () => {
  it('detects comma, semicolon and tab delimiters and the line ending', async () => {
    expect(await detectDialect(fixture('default-lf.csv'))).toEqual({ delimiter: ',', newline: '\n', bomBytes: 0 });
    expect(await detectDialect(fixture('semicolon.csv'))).toMatchObject({ delimiter: ';' });
    expect(await detectDialect(fixture('tab.tsv'))).toMatchObject({ delimiter: '\t' });
    expect(await detectDialect(fixture('bom-crlf.csv'))).toEqual({ delimiter: ',', newline: '\r\n', bomBytes: 3 });
  });

  it('refuses an empty file and a missing one with a sentence', async () => {
    await expect(detectDialect(fixture('empty.csv'))).rejects.toThrow(BatchFileError);
    await expect(detectDialect(fixture('no-such-file.csv'))).rejects.toThrow(/cannot be read/);
  });
});

describe('batch file reading', () => {
  it('strips the byte order mark and reads CRLF lines', async () => {
    const records = await readAll(fixture('bom-crlf.csv'));
    expect(records[0].fields[0]).toBe('payment_id');
    expect(records.map((record) => record.line)).toEqual([1, 2, 3]);
    expect(records[2].fields).toEqual(['p-2', 'BOB', 'ALICE', '2.50', 'EUR', 'Refund']);
  });

  it('keeps delimiters, doubled quotes and line breaks inside quoted fields, and numbers lines as the file does', async () => {
    const records = await readAll(fixture('quoted-fields.csv'));
    expect(records[1].fields[5]).toBe('Invoice 1, part "A"');
    expect(records[2].fields[5]).toBe('two\nline note');
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 5]);
  });

  it('skips empty and trailing lines while counting them', async () => {
    const records = await readAll(fixture('empty-lines.csv'));
    expect(records.map((record) => record.line)).toEqual([1, 2, 4]);
  });

  it('reads semicolon and tab files, and an overridden delimiter wins', async () => {
    expect((await readAll(fixture('semicolon.csv')))[1].fields[5]).toBe('Invoice, with comma');
    expect((await readAll(fixture('tab.tsv')))[2].fields).toEqual(['p-2', 'BOB', 'ALICE', '2.50', 'EUR', 'Refund']);
    const asComma = await readAll(fixture('semicolon.csv'), { delimiter: ',', newline: '\n', bomBytes: 0 });
    expect(asComma[1].fields).toEqual(['p-1;ALICE;BOB;10.00;EUR;Invoice', ' with comma']);
  });

  it('reads the same records whatever size the pieces read from disk are', async () => {
    const folder = newFolder();
    const cell = fc.stringMatching(/^[a-z ,;"\n]{0,12}$/);
    await fc.assert(
      fc.asyncProperty(rowsArbitrary(cell), fc.integer({ min: 1, max: 64 }), async (rows, pieceBytes) => {
        const table = [['a', 'b', 'c'], ...rows.filter((row) => row.some((field) => field.trim() !== ''))];
        const text = table.map((row) => row.map((field) => `"${field.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        const filePath = path.join(folder, 'property.csv');
        writeFileSync(filePath, text);
        const records = await readAll(filePath, { delimiter: ',', newline: '\r\n', bomBytes: 0 }, pieceBytes);
        expect(records.map((record) => record.fields)).toEqual(table);
        let line = 1;
        for (const [index, record] of records.entries()) {
          expect(record.line).toBe(line);
          line += 1 + table[index].join('').split('\n').length - 1;
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('batch file reading without quotes', () => {
  it('splits quote-free text exactly as papaparse parses it, whatever the delimiter, line ending and piece size', async () => {
    const folder = newFolder();
    const cell = fc.stringMatching(/^[a-z ,;\t\r\n]{0,8}$/);
    const delimiters = fc.constantFrom(',', ';', '\t' as const);
    const newlines = fc.constantFrom('\n', '\r\n' as const);
    const pieceSizes = fc.integer({ min: 1, max: 64 });
    await fc.assert(
      fc.asyncProperty(rowsArbitrary(cell), delimiters, newlines, pieceSizes, fc.boolean(), async (rows, delimiter, newline, pieceBytes, endBreak) => {
        const text = rows.map((row) => row.join(delimiter)).join(newline) + (endBreak ? newline : '');
        const filePath = path.join(folder, 'unquoted.csv');
        writeFileSync(filePath, text);
        const expected = Papa.parse<string[]>(text, { delimiter, newline, quoteChar: '"', header: false, skipEmptyLines: false }).data
          .filter((fields) => fields.some((field) => field.trim() !== ''));
        const records = await readAll(filePath, { delimiter, newline, bomBytes: 0 }, pieceBytes);
        expect(records.map((record) => record.fields)).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('batch column mapping', () => {
  it('maps the default headers and the usual variants', () => {
    const headers = ['payment_id', 'debtor_account', 'creditor_account', 'amount', 'currency', 'reference'] as const;
    const fields = ['paymentId', 'debtor', 'creditor', 'amount', 'currency', 'reference'];
    expect(suggestMapping(headers)).toEqual(Object.fromEntries(fields.map((field, index) => [field, headers[index]])));
    const variants = { paymentId: 'ID', debtor: 'From', creditor: 'TO', amount: 'Amount', currency: 'CCY', reference: 'Ref' };
    expect(suggestMapping(['ID', 'From', 'TO', 'Amount', 'CCY', 'Ref'])).toEqual(variants);
    const spelled = suggestMapping(['Payment Id', 'Debtor Account', 'Creditor-Account', 'AMOUNT', 'Currency']);
    expect(spelled).toMatchObject({ paymentId: 'Payment Id', creditor: 'Creditor-Account' });
  });

  it('maps headers by name whatever their case, spacing, punctuation or a qualifier, before asking', () => {
    expect(suggestMapping(['\uFEFFPayment ID', 'Debtor IBAN', 'Beneficiary account', 'Amount (EUR)', 'Currency code', 'Remittance info'])).toEqual({
      paymentId: '\uFEFFPayment ID', debtor: 'Debtor IBAN', creditor: 'Beneficiary account', amount: 'Amount (EUR)', currency: 'Currency code',
      reference: 'Remittance info',
    });
    expect(suggestMapping(['End-to-end ID', 'Payer', 'Payee', 'Instructed amount', 'Ccy', 'Purpose'])).toEqual({
      paymentId: 'End-to-end ID', debtor: 'Payer', creditor: 'Payee', amount: 'Instructed amount', currency: 'Ccy', reference: 'Purpose',
    });
    // An exact spelling wins over a qualified one, and a column is used once.
    expect(suggestMapping(['Amount EUR', 'Amount', 'from', 'to', 'id', 'currency'])).toMatchObject({ amount: 'Amount' });
    expect(suggestMapping(['account', 'account'])).toEqual({ debtor: 'account' });
  });

  it('names every required field a mapping leaves out', () => {
    const headers = ['Transaktion', 'Konto A', 'Konto B', 'Betrag', 'Waehrung'];
    expect(suggestMapping(headers)).toEqual({});
    expect(mappingProblems(headers, {})).toHaveLength(5);
    expect(mappingProblems(headers, { paymentId: 'Transaktion', debtor: 'Konto A', creditor: 'Konto B', amount: 'Betrag', currency: 'Waehrung' })).toEqual([]);
    const wrong = { paymentId: 'Nope', debtor: 'Konto A', creditor: 'Konto B', amount: 'Betrag', currency: 'Waehrung' };
    expect(mappingProblems(headers, wrong)[0]).toMatch(/does not have/);
  });
});

describe('batch CSV export', () => {
  it('neutralises cells a spreadsheet would run, also after leading spaces, and quotes what needs it', () => {
    for (const dangerous of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '\nx', '  =cmd']) expect(csvCell(dangerous)).toMatch(/^"?'/);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(-250)).toBe('-250');
    expect(csvLine(['=HYPERLINK("x")', 'ok'])).toBe(`"'=HYPERLINK(""x"")",ok\r\n`);
  });

  it('writes the validation report with line, field, value, code and reason', () => {
    const text = validationReportCsv([{ line: 7, field: 'amount', value: '=2+3', code: 'AM12', message: 'Bad amount.' }]);
    expect(text).toBe(`line,field,value,code,reason\r\n7,amount,'=2+3,AM12,Bad amount.\r\n`);
  });
});
