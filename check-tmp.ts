import { readFileSync } from 'node:fs';
import { decodeStatementBytes } from './shared/statement-encoding';
import { parseStatementFile } from './electron/core/reconciliation/statement-parse';
for (const name of ['envelope-two-accounts.camt053.xml', 'notification.camt054.xml', 'latin1.camt053.xml', 'report.camt052.xml', 'two-statements.mt940']) {
  const decoded = decodeStatementBytes(readFileSync(`test/fixtures/reconciliation/${name}`));
  if (!decoded.ok) { console.log(name, decoded); continue; }
  const file = parseStatementFile(decoded.value.text, { defaultCurrency: '' });
  if (!file.ok) { console.log(name, decoded.value.encoding, file); continue; }
  console.log(name, decoded.value.encoding, file.value.format, file.value.version);
  for (const s of file.value.statements) {
    console.log('  ', s.statementId, JSON.stringify(s.account), s.fromDate, s.toDate, s.openingBalanceMinor, s.closingBalanceMinor, s.lines.length, s.lines.reduce((a, l) => a + l.amountMinor, 0));
    for (const l of s.lines.slice(0, 5)) console.log('     ', JSON.stringify(l));
  }
}
