import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCamtFile } from '../../electron/core/reconciliation/statement-camt';
import { informationOf, parseMt940File } from '../../electron/core/reconciliation/statement-mt940';
import { detectStatementFamily, parseStatementFile } from '../../electron/core/reconciliation/statement-parse';
import { parseXml } from '../../electron/core/reconciliation/xml';
import { parseIban } from '../../shared/iban';
import type { ParsedStatementFile } from '../../shared/reconciliation';
import type { Result } from '../../shared/result';
import { decodeStatementBytes } from '../../shared/statement-encoding';

const folder = path.join(import.meta.dirname, '../fixtures/reconciliation');
const bytes = (name: string) => readFileSync(path.join(folder, name));
const fixture = (name: string) => {
  const decoded = decodeStatementBytes(bytes(name));
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.value.text;
};

function valueOf(result: Result<ParsedStatementFile>): ParsedStatementFile {
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe('camt.053 as banks send it', () => {
  it('reads an envelope with AppHdr, prefixed namespaces and two statements for two accounts, with ids, periods and balances', () => {
    const file = valueOf(parseCamtFile(fixture('envelope-two-accounts.camt053.xml')));
    expect(file).toMatchObject({ format: 'camt053', version: 'camt.053.001.08' });
    expect(file.statements.map((statement) => [statement.statementId, statement.account, statement.fromDate, statement.toDate])).toEqual([
      ['CASH-2024-03', { kind: 'iban', value: 'DE89370400440532013000' }, '2024-03-01', '2024-03-31'],
      ['CUSTA-2024-03', { kind: 'iban', value: 'GB82WEST12345698765432' }, '2024-03-01', '2024-03-31'],
    ]);
    const [cash, customer] = file.statements;
    expect([cash.openingBalanceMinor, cash.closingBalanceMinor, cash.lines.length]).toEqual([0, 32_690, 17]);
    expect([customer.openingBalanceMinor, customer.closingBalanceMinor, customer.lines.length]).toEqual([0, -111_200, 8]);
    // The lines add up to the closing balance less the opening one: every sign is right, the reversal's too.
    for (const statement of file.statements) {
      expect(statement.lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(statement.closingBalanceMinor! - statement.openingBalanceMinor!);
    }
  });

  it('books a reversal (RvslInd true) in the direction its CdtDbtInd gives and says it is one', () => {
    const [cash] = valueOf(parseCamtFile(fixture('envelope-two-accounts.camt053.xml'))).statements;
    expect(cash.lines[3]).toMatchObject({ amountMinor: 1234, description: 'Wrongly credited' });
    expect(cash.lines[4]).toMatchObject({ amountMinor: -1234, description: 'Reversal: Wrongly credited' });
  });

  it('names the element path inside the envelope and the statement by its position when an entry is bad', () => {
    const text = fixture('envelope-two-accounts.camt053.xml').replace(/(<doc:Stmt>\s*<doc:Id>CUSTA[\s\S]*?<doc:Ntry>[\s\S]*?)DBIT/, '$1DEBT');
    const parsed = parseCamtFile(text);
    expect(parsed).toMatchObject({ ok: false, code: 'FF01' });
    const expected = /^\/BizMsgEnvlp\/Document\/BkToCstmrStmt\/Stmt\[2\]\/Ntry\[1\]\/CdtDbtInd \(line \d+\): "DEBT" is neither CRDT nor DBIT/;
    if (!parsed.ok) expect(parsed.message).toMatch(expected);
  });

  it('refuses an envelope without a camt message, naming what it looked for', () => {
    const parsed = parseCamtFile('<BizMsgEnvlp xmlns="urn:x"><AppHdr/><Document><pain.001/></Document></BizMsgEnvlp>');
    const expected = 'no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn was found under <BizMsgEnvlp>';
    expect(parsed).toMatchObject({ ok: false, message: expect.stringContaining(expected) });
  });
});

describe('camt.052 and camt.054', () => {
  it('splits a camt.054 entry whose transactions carry their own end-to-end ids and amounts into one line each', () => {
    const file = valueOf(parseCamtFile(fixture('notification.camt054.xml')));
    expect(file).toMatchObject({ format: 'camt054', version: 'camt.054.001.08' });
    const [notification] = file.statements;
    expect(notification).toMatchObject({ statementId: 'NTF-CASH-0314', openingBalanceMinor: null, closingBalanceMinor: null });
    expect(notification.lines.map((line) => [line.line, line.amountMinor, line.endToEndId])).toEqual([
      [1, 1000, 'P-2001'], [2, 2000, 'P-2002'], [3, 3000, 'P-2003'], [4, 4200, 'P-1011'],
    ]);
  });

  it('keeps the entry whole (a settlement line) when its transactions do not add up to it', () => {
    const text = fixture('notification.camt054.xml').replace('<Amt Ccy="EUR">30.00</Amt>', '<Amt Ccy="EUR">31.00</Amt>');
    const [notification] = valueOf(parseCamtFile(text)).statements;
    expect(notification.lines.map((line) => [line.amountMinor, line.endToEndId])).toEqual([[6000, null], [4200, 'P-1011']]);
  });

  it('reads a camt.052 report and leaves its pending entry out', () => {
    const file = valueOf(parseStatementFile(fixture('report.camt052.xml'), { defaultCurrency: '' }));
    expect(file).toMatchObject({ format: 'camt052', version: 'camt.052.001.08' });
    expect(file.statements[0].lines).toEqual([
      { line: 1, bookingDate: '2024-03-28', amountMinor: -50_000, reference: 'Invoice S-77', description: 'Invoice S-77', endToEndId: 'P-1012' },
    ]);
  });
});

describe('encodings', () => {
  it('reads an ISO-8859-1 file by its declaration, where UTF-8 would mangle it, and names the other account id', () => {
    const decoded = decodeStatementBytes(bytes('latin1.camt053.xml'));
    expect(decoded).toMatchObject({ ok: true, value: { encoding: 'ISO-8859-1' } });
    expect(bytes('latin1.camt053.xml').toString('utf8')).toContain('\ufffd');
    const file = valueOf(parseCamtFile(decoded.ok ? decoded.value.text : ''));
    expect(file.version).toBe('camt.053.001.02');
    expect(file.statements[0].account).toEqual({ kind: 'other', value: '4711-0815' });
    expect(file.statements[0].lines[0].reference).toBe('INV-1003 Müller Straße');
  });

  it('refuses UTF-16 and encodings it does not read, and reads undeclared non-UTF-8 bytes as ISO-8859-1', () => {
    expect(decodeStatementBytes(new Uint8Array([0xff, 0xfe, 0x3c, 0x00]))).toMatchObject({ ok: false, code: 'FF01' });
    expect(decodeStatementBytes(Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><a/>'))).toMatchObject({
      ok: false, message: expect.stringContaining('shift_jis'),
    });
    expect(decodeStatementBytes(Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>\xfc</a>', 'latin1'))).toMatchObject({ ok: false });
    expect(decodeStatementBytes(Buffer.from(':86:M\xfcller\r\n', 'latin1'))).toEqual({ ok: true, value: { text: ':86:Müller\r\n', encoding: 'ISO-8859-1' } });
    expect(decodeStatementBytes(Buffer.from('\ufeffdate,amount', 'utf8'))).toEqual({ ok: true, value: { text: 'date,amount', encoding: 'UTF-8' } });
  });
});

describe('the XML parser', () => {
  it('resolves prefixes to their namespace, reads CDATA and refuses unbound prefixes, undefined entities and a DOCTYPE', () => {
    const read = parseXml('<p:a xmlns:p="urn:x"><p:b><![CDATA[1 < 2 & 3]]></p:b><c xmlns="urn:y">&#252;&amp;</c></p:a>');
    if (!read.ok) throw new Error(read.message);
    expect(read.value.children.map((element) => [element.name, element.namespace, element.text])).toEqual([['b', 'urn:x', '1 < 2 & 3'], ['c', 'urn:y', 'ü&']]);
    expect(parseXml('<q:a/>')).toMatchObject({ ok: false, message: expect.stringMatching(/^The XML is malformed at line 1: unbound namespace prefix/) });
    expect(parseXml('<a>&bomb;</a>')).toMatchObject({ ok: false });
    expect(parseXml('<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<a>&x;</a>')).toMatchObject({
      ok: false, message: 'The XML is malformed at line 2: DOCTYPE and other declarations are not accepted.',
    });
    expect(parseXml('<a x="1" x="2"/>')).toMatchObject({ ok: false });
  });
});

describe('MT940', () => {
  it('reads two statements with their accounts, balances, :61: lines and :86: subfields', () => {
    const file = valueOf(parseMt940File(fixture('two-statements.mt940')));
    expect(file).toMatchObject({ format: 'mt940', version: 'MT940' });
    const [cash, customer] = file.statements;
    expect(cash).toMatchObject({
      statementId: 'STMT-CASH-03 00003/001', account: { kind: 'iban', value: 'DE89370400440532013000' }, currency: 'EUR',
      openingBalanceMinor: 10_000, closingBalanceMinor: 42_690, fromDate: '2024-03-01', toDate: '2024-03-31',
    });
    expect(cash.lines[0]).toEqual({
      line: 5, bookingDate: '2024-03-01', amountMinor: 25_000, reference: 'Invoice 1001', description: 'CUST A SEPA-UEBERWEISUNG', endToEndId: 'P-1001',
    });
    expect(customer).toMatchObject({ statementId: 'STMT-CUSTA-03 00003/001', account: { kind: 'iban', value: 'GB82WEST12345698765432' } });
    for (const statement of file.statements) {
      expect(statement.lines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(statement.closingBalanceMinor! - statement.openingBalanceMinor!);
    }
  });

  it('credits on C and RD, debits on D and RC, and reads a funds code after the mark', () => {
    const [cash] = valueOf(parseMt940File(fixture('two-statements.mt940'))).statements;
    expect(cash.lines[3]).toMatchObject({ line: 14, amountMinor: 1234, reference: 'Wrongly credited, reversed the next day', endToEndId: null });
    expect(cash.lines[4]).toMatchObject({ line: 16, amountMinor: -1234, description: 'Reversal: STORNO' });
    const message = (mark: string) => `:20:X\n:25:123\n:60F:C240301EUR0,00\n:61:240302${mark}5,00NTRFNONREF\n:62F:C240302EUR5,00\n-\n`;
    expect(valueOf(parseMt940File(message('RD'))).statements[0].lines[0].amountMinor).toBe(500);
    expect(valueOf(parseMt940File(message('D'))).statements[0].lines[0].amountMinor).toBe(-500);
    expect(valueOf(parseMt940File(message('CR'))).statements[0].lines[0].amountMinor).toBe(500);
  });

  it('reads LF files as CRLF ones, and files in SWIFT blocks without a "-" between messages', () => {
    const crlf = valueOf(parseMt940File(fixture('two-statements.mt940')));
    expect(valueOf(parseMt940File(fixture('two-statements.mt940').replace(/\r\n/g, '\n')))).toEqual(crlf);
    const blocks = '{1:F01BANKDEFFAXXX0000000000}{2:O9401200240331BANKDEFFAXXX00000000002403311200N}{4:\n' +
      ':20:A\n:25:DE89370400440532013000\n:28C:1\n:60F:C240301EUR0,00\n:61:2403010301C1,00NTRFNONREF\n:86:one\n:62F:C240301EUR1,00\n' +
      ':20:B\n:25:DE89370400440532013000\n:28C:2\n:60F:C240301EUR1,00\n:61:240302D1,00NTRFNONREF\n:62F:C240302EUR0,00\n-}';
    expect(detectStatementFamily(blocks)).toBe('mt940');
    const file = valueOf(parseMt940File(blocks));
    expect(file.statements.map((statement) => [statement.statementId, statement.lines[0].amountMinor])).toEqual([['A 1', 100], ['B 2', -100]]);
  });

  it('takes the entry date across a new year from the value date', () => {
    const text = ':20:Y\n:25:1\n:60F:C231231EUR0,00\n:61:2312310102C1,00NTRFNONREF\n:62F:C240102EUR1,00\n-\n';
    expect(valueOf(parseMt940File(text)).statements[0].lines[0].bookingDate).toBe('2024-01-02');
  });

  it('refuses a bad amount, a bad :61: and a missing closing balance, naming the line and what was expected', () => {
    const good = fixture('two-statements.mt940');
    expect(parseMt940File(good.replace(':61:2403010301C250,00', ':61:2403010301C250.00'))).toMatchObject({
      ok: false, code: 'FF01', message: expect.stringMatching(/^Line 5 \(:61:\): expected value date YYMMDD/),
    });
    expect(parseMt940File(good.replace(':61:2403010301C250,00', ':61:2403010301C250,001'))).toMatchObject({
      ok: false, message: expect.stringMatching(/^Line 5 \(:61:\): EUR amounts have at most 2 decimals/),
    });
    expect(parseMt940File(good.replace(':60F:C240301EUR100,00', ':60F:C240301EUR100'))).toMatchObject({
      ok: false, message: expect.stringMatching(/^Line 4 \(:60F:\): "100" is not an amount: digits with a decimal comma/),
    });
    expect(parseMt940File(good.replace(/:62F:[^\r]*\r\n/, ''))).toMatchObject({
      ok: false, message: 'Line 1: the statement has no :62F: field (closing balance).',
    });
    expect(parseMt940File('\n\n')).toMatchObject({ ok: false, message: 'The MT940 file holds no statement.' });
  });

  it('reads :86: free text and ?-subfields with SEPA keywords', () => {
    expect(informationOf('Plain text\nover two lines')).toMatchObject({ text: 'Plain text over two lines', remittance: '', endToEndId: null });
    expect(informationOf('166?00GUTSCHRIFT?20EREF+E2E-1?21SVWZ+Rechnung 4\n?2271 vom 1.3.?32Max Muster')).toMatchObject({
      endToEndId: 'E2E-1', remittance: 'Rechnung 471 vom 1.3.', name: 'Max Muster', postingText: 'GUTSCHRIFT',
    });
    expect(informationOf('166?20Invoice 7?21 and 8')).toMatchObject({ remittance: 'Invoice 7 and 8', endToEndId: null });
  });
});

describe('formats and accounts', () => {
  it('tells the format from the content whatever the file is called', () => {
    expect(detectStatementFamily(fixture('two-statements.mt940'))).toBe('mt940');
    expect(detectStatementFamily('\ufeff  <?xml version="1.0"?><Document/>')).toBe('camt');
    expect(detectStatementFamily('date,amount\n2024-03-01,1.00')).toBe('csv');
    expect(valueOf(parseStatementFile(fixture('latin1.camt053.xml'), { defaultCurrency: '' })).format).toBe('camt053');
  });

  it('validates IBANs by shape, country length and check digits', () => {
    expect(parseIban('gb82 west 1234 5698 7654 32')).toEqual({ ok: true, value: 'GB82WEST12345698765432' });
    expect(parseIban('GB82WEST12345698765433')).toMatchObject({ ok: false, code: 'AC01', message: expect.stringContaining('check digits') });
    expect(parseIban('DE8937040044053201300')).toMatchObject({ ok: false, message: 'A DE IBAN has 22 characters; DE8937040044053201300 has 21.' });
    expect(parseIban('1234')).toMatchObject({ ok: false, code: 'AC01' });
  });
});
