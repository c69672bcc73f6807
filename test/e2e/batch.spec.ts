import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * An operator, in Chromium against the loopback host and a fresh ledger:
 * picks a batch file on the Batches page, sees the preview and the validation
 * report, processes the valid rows, watches progress reach 100%, reads the
 * results (filtered to the rejected ones) and exports them as CSV.
 */

async function createAccount(page: Page, code: string, openingBalance: string) {
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Name').fill(`Account ${code}`);
  await form.getByLabel('Currency').selectOption('EUR');
  await form.getByLabel('Opening balance').fill(openingBalance);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(form.getByRole('status')).toHaveText(`Account ${code} created.`);
}

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
  await createAccount(page, 'ALICE', '1000.00');
  await createAccount(page, 'BOB', '10.00');

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
  await expect(results.locator('tbody tr')).toHaveCount(41);
  await page.getByLabel('Show').selectOption('rejected');
  await expect(results.locator('tbody tr')).toHaveCount(1);
  await expect(results).toContainText('AM04');

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export results as CSV' }).click();
  const download = await downloadPromise;
  const exported = await readFile((await download.path())!, 'utf8');
  expect(exported.split('\r\n')[0]).toBe('line,payment_id,debtor_account,creditor_account,amount_minor,currency,reference,status,code,message');
  expect(exported).toContain(`42,e2e-41,BOB,ALICE,50000,EUR,"'=HYPERLINK(""http://evil"")",rejected,AM04`);

  await expect(page.getByTestId('batch-history')).toContainText('payroll.csv');
});
