import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvStatement } from '../../electron/core/reconciliation/statement-csv';
import { parseCamtStatement } from '../../electron/core/reconciliation/statement-camt';
import { decideDateOrder, parseStatementDate } from '../../electron/core/reconciliation/statement-dates';
import { parseSignedAmount } from '../../electron/core/reconciliation/statement-amounts';
import { parseXml } from '../../electron/core/reconciliation/xml';
import { detectStatementFormat, parseStatement } from '../../electron/core/reconciliation/statement-parse';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/reconciliation', name), 'utf8');
const csv = (text: string, dateOrder: 'auto' | 'day-first' | 'month-first' = 'auto') => parseCsvStatement(text, { dateOrder, defaultCurrency: 'EUR' });

describe('CSV statements', () => {
  it('reads the default columns with signed amounts, an end-to-end id column and file line numbers', () => {
    const parsed = csv(fixture('statement.csv'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.currency).toBe('EUR');
    expect(parsed.value.lines).toHaveLength(13);
    expect(parsed.value.lines[0]).toEqual({
      line: 2, bookingDate: '2024-03-01', amountMinor: 25_000, reference: 'Invoice 1001', description: 'CUST A', endToEndId: 'P-1001',
    });
    expect(parsed.value.lines[1].amountMinor).toBe(-120_000);
    expect(parsed.value.lines[2].endToEndId).toBeNull();
    expect(parsed.value.closingBalanceMinor).toBeNull();
  });

  it('handles a BOM, preamble lines, semicolons, decimal commas, grouped thousands, day-first dates and quoted line breaks', () => {
    const parsed = csv(fixture('statement-quirks.csv'));
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.lines.map((line) => [line.line, line.bookingDate, line.amountMinor, line.reference])).toEqual([
      [4, '2024-03-01', 25_000, 'Invoice 1001'],
      [5, '2024-03-01', -120_000, 'RENT; March'],
      [6, '2024-03-13', 123_456, 'two\r\nlines'],
    ]);
  });

  it('refuses a bad date, naming the line, and imports nothing', () => {
    const parsed = csv(fixture('bad-date.csv'));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^Line 3: "2024-03-32" is not a date/);
  });

  it('refuses an amount with more decimals than the currency has', () => {
    const parsed = csv(fixture('bad-amount.csv'));
    expect(parsed).toMatchObject({ ok: false, code: 'AM12' });
    if (!parsed.ok) expect(parsed.message).toMatch(/^Line 3: EUR amounts have at most 2 decimals/);
  });

  it('asks for the date order when the dates could be either, and follows the choice', () => {
    const parsed = csv(fixture('ambiguous-dates.csv'));
    expect(parsed).toMatchObject({ ok: false, field: 'dateOrder' });
    if (!parsed.ok) expect(parsed.message).toContain('03/04/2024 on line 2 may be day-first or month-first');
    const dayFirst = csv(fixture('ambiguous-dates.csv'), 'day-first');
    const monthFirst = csv(fixture('ambiguous-dates.csv'), 'month-first');
    expect(dayFirst.ok && dayFirst.value.lines[0].bookingDate).toBe('2024-04-03');
    expect(monthFirst.ok && monthFirst.value.lines[0].bookingDate).toBe('2024-03-04');
  });

  it('refuses rows with more fields than the header, and a file with no usable header', () => {
    expect(csv('date,amount\n2024-03-01,1.00,extra\n')).toMatchObject({ ok: false, message: 'Line 2: it has 3 fields where the header has 2.' });
    expect(csv('when,how much\n2024-03-01,1.00\n')).toMatchObject({ ok: false });
    expect(csv('')).toMatchObject({ ok: false, message: 'The statement is empty.' });
  });

  it('takes the sign from a direction column and the closing balance from a balance column', () => {
    const parsed = csv('Date;Amount;Direction;Balance;Reference\n2024-03-01;10,00;CR;110,00;a\n2024-03-02;4,50;DR;105,50;b\n');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value.lines.map((line) => line.amountMinor)).toEqual([1000, -450]);
    expect(parsed.value.openingBalanceMinor).toBe(10_000);
    expect(parsed.value.closingBalanceMinor).toBe(10_550);
  });

  it('follows an explicit column mapping', () => {
    const parsed = parseCsvStatement('Booked,Value,Text\n2024-03-01,-3.00,fee\n', {
      dateOrder: 'auto', defaultCurrency: 'EUR', mapping: { date: 'Booked', amount: 'Value', reference: 'Text' },
    });
    expect(parsed.ok && parsed.value.lines[0]).toMatchObject({ amountMinor: -300, reference: 'fee' });
  });
});

describe('dates and amounts', () => {
  it('decides the date order from a part above 12, by convention for dots, and refuses mixed files', () => {
    expect(decideDateOrder([{ text: '13/03/2024', line: 2 }], 'auto')).toEqual({ ok: true, order: 'day-first' });
    expect(decideDateOrder([{ text: '03/13/2024', line: 2 }], 'auto')).toEqual({ ok: true, order: 'month-first' });
    expect(decideDateOrder([{ text: '03.04.2024', line: 2 }], 'auto')).toEqual({ ok: true, order: 'day-first' });
    expect(decideDateOrder([{ text: '13/03/2024', line: 2 }, { text: '03/13/2024', line: 3 }], 'auto').ok).toBe(false);
    expect(parseStatementDate('20240229', 'day-first')).toBe('2024-02-29');
    expect(parseStatementDate('2023-02-29', 'day-first')).toBeNull();
    expect(parseStatementDate('2024-03-01T10:00:00+01:00', 'day-first')).toBe('2024-03-01');
  });

  it('parses signs and separators exactly, never through a float', () => {
    expect(parseSignedAmount('(1,234.56)', 'EUR', '.')).toEqual({ ok: true, value: -123_456 });
    expect(parseSignedAmount('12.50-', 'EUR', '.')).toEqual({ ok: true, value: -1250 });
    expect(parseSignedAmount("1'000.10", 'CHF', '.')).toEqual({ ok: true, value: 100_010 });
    expect(parseSignedAmount('1.234,5', 'EUR', ',')).toEqual({ ok: true, value: 123_450 });
    expect(parseSignedAmount('0.1', 'JPY', '.').ok).toBe(false);
    expect(parseSignedAmount('1.0001', 'CLF', '.')).toEqual({ ok: true, value: 10_001 });
  });
});

describe('camt.053 statements', () => {
  it('reads booked entries with sign, booking date, end-to-end id, remittance and both balances', () => {
    const parsed = parseCamtStatement(fixture('statement.camt053.xml'));
    if (!parsed.ok) throw new Error(parsed.message);
    const statement = parsed.value;
    expect(statement).toMatchObject({ format: 'camt053', currency: 'EUR', openingBalanceMinor: 0, closingBalanceMinor: 45_340 });
    expect(statement.lines).toHaveLength(13);
    expect(statement.lines[1]).toMatchObject({ line: 2, amountMinor: -120_000, endToEndId: 'P-1002', reference: 'RENT' });
    expect(statement.lines[2]).toMatchObject({ reference: 'INV-1003', endToEndId: null });
    expect(statement.lines[9]).toMatchObject({ amountMinor: 6000, endToEndId: null, description: 'Card acquirer & settlement' });
  });

  it('refuses a bad credit/debit indicator naming the XML path and line', () => {
    const parsed = parseCamtStatement(fixture('bad-indicator.camt053.xml'));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^\/Document\/BkToCstmrStmt\/Stmt\/Ntry\[2\]\/CdtDbtInd \(line \d+\): "DEBIT" is neither CRDT nor DBIT/);
  });

  it('refuses a truncated file with the element left open', () => {
    const parsed = parseCamtStatement(fixture('bad-truncated.camt053.xml'));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/The XML is malformed at line \d+: the file ends inside <\w+> opened on line \d+/);
  });

  it('refuses a DOCTYPE, so no entity can be expanded', () => {
    expect(parseXml('<!DOCTYPE x [<!ENTITY a "b">]><Document/>')).toMatchObject({ ok: false });
  });

  it('tells the formats apart by their first character', () => {
    expect(detectStatementFormat('\ufeff  <?xml version="1.0"?>')).toBe('camt053');
    expect(detectStatementFormat('date,amount')).toBe('csv');
    expect(parseStatement(fixture('statement.camt053.xml'), { defaultCurrency: 'EUR' }).ok).toBe(true);
  });
});
