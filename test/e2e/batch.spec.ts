import { readFile } from 'node:fs/promises';
import { administrator, expect, test } from './fixtures';
import { fillNewAccount, openSecondSession } from './operator-steps';

/**
 * An operator, in Chromium against the loopback host and a fresh ledger:
 * picks a batch file on the Batches page, sees the preview and the validation
 * report, processes the valid rows, watches progress reach 100%, reads the
 * results (filtered to the rejected ones) and exports them as CSV.
 */

function batchFile(): string {
  const lines = ['payment_id;from;to;amount;currency;reference'];
  for (let index = 1; index <= 40; index++) lines.push(`e2e-${index};ALICE;BOB;1.00;EUR;Invoice ${index}`);
  lines.push('e2e-41;BOB;ALICE;500.00;EUR;=HYPERLINK("http://evil")');
  lines.push('e2e-42;ALICE;NOBODY;1.00;EUR;unknown creditor');
  return `${lines.join('\r\n')}\r\n`;
}

test('an operator imports a batch file, processes it to 100% and exports the results', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1000.00', 'Account ALICE');
  await fillNewAccount(page, 'BOB', '10.00', 'Account BOB');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Batches');
  await page.getByLabel('Batch file to import').setInputFiles({ name: 'payroll.csv', mimeType: 'text/csv', buffer: Buffer.from(batchFile()) });

  const preview = page.getByTestId('batch-preview');
  await expect(preview.locator('tbody tr')).toHaveCount(10);
  await expect(preview.locator('tbody tr').first()).toContainText('e2e-1');
  await page.getByRole('button', { name: 'Check every row' }).click();
  await expect(page.getByTestId('validation-counts')).toContainText('42 rows: 41 valid, 1 with errors');
  await expect(page.getByTestId('validation-errors')).toContainText('AC01');

  await page.getByRole('button', { name: 'Process 41 valid rows' }).click();
  await expect(page.getByTestId('batch-percent')).toHaveText('100%');
  await expect(page.getByTestId('batch-status')).toHaveText('completed');
  await expect(page.getByTestId('batch-summary')).toContainText('Succeeded40');

  const results = page.getByTestId('batch-results');
  await expect(results.locator('tbody tr')).toHaveCount(42);
  await page.getByLabel('Show').selectOption('rejected');
  await expect(results.locator('tbody tr')).toHaveCount(2);
  await expect(results).toContainText('AM04');
  await expect(results).toContainText('AC01');

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export results as CSV' }).click();
  const download = await downloadPromise;
  const exported = await readFile((await download.path())!, 'utf8');
  expect(exported.split('\r\n')[0]).toBe('line,payment_id,debtor_account,creditor_account,amount_minor,currency,reference,status,code,message');
  expect(exported).toContain(`42,e2e-41,BOB,ALICE,50000,EUR,"'=HYPERLINK(""http://evil"")",rejected,AM04`);
  expect(exported).toContain('43,e2e-42,ALICE,NOBODY,100,EUR,unknown creditor,refused,AC01,The creditor account NOBODY does not exist in this ledger.');

  await expect(page.getByTestId('batch-history')).toContainText('payroll.csv');
});

test('a batch with invalid rows lists every row of the file in its results, and PSR counts every row', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1000.00', 'Account ALICE');
  await fillNewAccount(page, 'BOB', '10.00', 'Account BOB');
  const lines = [
    'payment_id,debtor_account,creditor_account,amount,currency,reference',
    'ok-1,ALICE,BOB,1.00,EUR,fine', 'ok-2,ALICE,BOB,2.00,EUR,fine', 'ok-3,ALICE,BOB,3.00,EUR,fine',
    'bad-1,ALICE,NOBODY,1.00,EUR,unknown creditor', 'bad-2,ALICE,BOB,1.005,EUR,too many decimals', ',ALICE,BOB,1.00,EUR,no id',
    'bad-4,ALICE,BOB,abc,EUR,not a number', 'bad-5,ALICE,ALICE,1.00,EUR,same account', 'bad-6,ALICE,BOB,1.00,ZZZ,unknown currency',
    'ok-1,ALICE,BOB,1.00,EUR,duplicate',
  ];
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  await page.getByLabel('Batch file to import').setInputFiles({ name: 'mixed.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await page.getByRole('button', { name: 'Check every row' }).click();
  await expect(page.getByTestId('validation-counts')).toContainText('10 rows: 3 valid, 7 with errors');
  await page.getByRole('button', { name: 'Process 3 valid rows' }).click();
  await expect(page.getByTestId('batch-status')).toHaveText('completed');
  const summary = page.getByTestId('batch-summary');
  await expect(summary).toContainText('Rows10');
  await expect(summary).toContainText('Succeeded3');
  await expect(summary).toContainText('Refused before payment7');
  await expect(summary).toContainText('PSR30.00%');

  const results = page.getByTestId('batch-results');
  await expect(results.locator('tbody tr')).toHaveCount(10);
  await expect(results.locator('tbody tr').nth(4)).toContainText('1.005 EUR');
  await expect(results.locator('tbody tr').nth(4)).toContainText('AM12');
  await page.getByLabel('Show').selectOption('rejected');
  await expect(results.locator('tbody tr')).toHaveCount(7);
  await expect(results.locator('tbody tr td:first-child')).toHaveText(['5', '6', '7', '8', '9', '10', '11']);
  await expect(results).toContainText('The creditor account NOBODY does not exist in this ledger.');
  await expect(results).toContainText('Payment id ok-1 appears on an earlier line of this file; the row was not paid.');
  await expect(results).not.toContainText('No rows match');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  const batchTraffic = page.getByRole('table', { name: 'Real-time and batch traffic' }).getByRole('row', { name: /^Batch/ });
  await expect(batchTraffic).toContainText('10');
  await expect(batchTraffic).toContainText('30.00 %');
});

test('a batch left validated is opened from Past batches and processed, the list following live; another is abandoned with a reason', async ({
  page, hostUrl,
}) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1000.00', 'Account ALICE');
  await fillNewAccount(page, 'BOB', '10.00', 'Account BOB');
  const batches = () => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  await batches();
  for (const name of ['left-behind.csv', 'wrong-month.csv']) {
    const text = `payment_id,debtor_account,creditor_account,amount,currency\n${name}-1,ALICE,BOB,12.50,EUR\n${name}-2,ALICE,BOB,7.50,EUR\n`;
    await page.getByLabel('Batch file to import').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    await page.getByRole('button', { name: 'Check every row' }).click();
    await expect(page.getByTestId('batch-ready')).toContainText(`Ready to process: ${name}`);
  }
  // The operator leaves the page and comes back later: both batches wait in the list.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await batches();
  const history = page.getByTestId('batch-history');
  const leftBehind = history.getByRole('row', { name: /left-behind\.csv/ });
  await expect(leftBehind).toContainText('validated');
  await leftBehind.getByRole('button', { name: 'Open' }).click();
  const ready = page.getByTestId('batch-ready');
  await expect(ready).toContainText('2 rows: 2 valid, 0 with errors');
  const totals = ready.getByRole('table', { name: 'Control totals per currency' });
  await expect(totals.getByRole('row', { name: /EUR/ })).toContainText('2');
  await expect(totals.getByRole('row', { name: /EUR/ })).toContainText('20.00 EUR');
  await ready.getByRole('button', { name: 'Process 2 valid rows' }).click();
  await expect(page.getByTestId('batch-status')).toHaveText('completed');
  // The list caught up without a reload.
  await expect(leftBehind).toContainText('completed');
  await expect(leftBehind).toContainText('2 / 2');

  const wrongMonth = history.getByRole('row', { name: /wrong-month\.csv/ });
  await wrongMonth.getByRole('button', { name: 'Open' }).click();
  await page.getByTestId('batch-ready').getByRole('button', { name: 'Abandon…' }).click();
  const abandonForm = page.getByRole('form', { name: 'Abandon batch' });
  await expect(abandonForm.getByRole('button', { name: 'Abandon batch' })).toBeDisabled();
  await abandonForm.getByLabel('Reason for abandoning').fill('Payroll of the wrong month');
  await abandonForm.getByRole('button', { name: 'Abandon batch' }).click();
  await expect(page.getByTestId('batch-status')).toHaveText('abandoned');
  await expect(page.getByText('Abandoned by admin: Payroll of the wrong month')).toBeVisible();
  await expect(wrongMonth).toContainText('abandoned');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await expect(page.getByTestId('balance-BOB')).toHaveText('30.00');
});

test('columns are matched by header name, control totals per currency show before Process, and a batch failing at a high rate pauses and asks', async ({
  page, hostUrl,
}) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1000.00', 'Account ALICE');
  await fillNewAccount(page, 'BOB', '0.00', 'Account BOB');
  const lines = ['Payment ID;Debtor IBAN;Beneficiary account;Amount (EUR);Currency code;Remittance info'];
  // 1,500 rows; three in ten name a creditor the ledger does not have.
  for (let index = 1; index <= 1500; index++) lines.push(`h-${index};ALICE;${index % 10 < 3 ? 'NOBODY' : 'BOB'};0.10;EUR;Row ${index}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  await page.getByLabel('Batch file to import').setInputFiles({ name: 'bank-export.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n')) });
  await expect(page.getByTestId('mapping-note')).toContainText('Matched by header name: Payment id ← "Payment ID", Debtor account ← "Debtor IBAN"');
  await expect(page.getByTestId('mapping-note')).toContainText('Amount ← "Amount (EUR)", Currency ← "Currency code", Reference ← "Remittance info"');
  await expect(page.getByLabel('Creditor account')).toHaveValue('Beneficiary account');
  await page.getByRole('button', { name: 'Check every row' }).click();
  await expect(page.getByTestId('validation-counts')).toContainText('1,500 rows: 1,050 valid, 450 with errors');
  const totals = page.getByTestId('batch-ready').getByRole('table', { name: 'Control totals per currency' });
  await expect(totals.getByRole('row', { name: /EUR/ })).toContainText('1,050');
  await expect(totals.getByRole('row', { name: /EUR/ })).toContainText('105.00 EUR');

  await page.getByRole('button', { name: 'Process 1,050 valid rows' }).click();
  await expect(page.getByTestId('batch-status')).toHaveText('paused');
  await expect(page.getByText('300 of the first 1,000 rows failed (30.0 %: AC01 300), more than 20 %.')).toBeVisible();
  await expect(page.getByTestId('batch-progress-text')).toContainText('1,000 of 1,500 rows');
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.getByTestId('batch-status')).toHaveText('completed');
  await expect(page.getByTestId('batch-summary')).toContainText('Succeeded1,050');
  await expect(page.getByTestId('batch-summary')).toContainText('PSR70.00%');
});

test('Past batches follows batches validated and run in another window, without a reload', async ({ page, browser, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1000.00', 'Account ALICE');
  await fillNewAccount(page, 'BOB', '10.00', 'Account BOB');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  const row = page.getByTestId('batch-history').getByRole('row', { name: /elsewhere\.csv/ });
  await expect(row).toHaveCount(0);

  const other = await openSecondSession(browser, hostUrl, administrator.username, administrator.password);
  await other.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Batches' }).click();
  const text = 'payment_id,debtor_account,creditor_account,amount,currency\nw-1,ALICE,BOB,1.00,EUR\nw-2,ALICE,BOB,2.00,EUR\n';
  await other.getByLabel('Batch file to import').setInputFiles({ name: 'elsewhere.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await other.getByRole('button', { name: 'Check every row' }).click();
  await expect(row).toContainText('validated');
  await other.getByRole('button', { name: 'Process 2 valid rows' }).click();
  await expect(row).toContainText('completed');
  await expect(row).toContainText('2 / 2');
});
