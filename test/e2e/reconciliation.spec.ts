import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { buildFixtureLedger } from '../fixtures/reconciliation/ledger';
import { expect, test as base } from './fixtures';

/**
 * An operator reconciles the fixture ledger's account CASH against the CSV
 * statement in a real browser: drops the file, runs, reads the three panes
 * and the difference, matches the ambiguous line by hand, sees it survive a
 * reload, marks the run finished and exports the report.
 */

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/reconciliation');

// The host opens a ledger that already holds the fixture's dated payments.
const test = base.extend({
  ledgerPath: async ({ ledgerPath }, use) => {
    await buildFixtureLedger(ledgerPath);
    await use(ledgerPath);
  },
});

async function dropStatement(page: Page, fileName: string) {
  const text = await readFile(path.join(fixtures, fileName), 'utf8');
  const dataTransfer = await page.evaluateHandle(([content, name]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([content], name, { type: 'text/csv' }));
    return transfer;
  }, [text, fileName] as const);
  await page.getByTestId('statement-drop-zone').dispatchEvent('drop', { dataTransfer });
}

const pane = (page: Page, name: RegExp) => page.getByRole('table', { name });

test('an operator drops a statement, reviews three panes, matches a line by hand and exports the report', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reconciliation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reconciliation');

  await dropStatement(page, 'statement.csv');
  await expect(page.getByText('Statement: statement.csv')).toBeVisible();
  await expect(page.getByLabel('Account')).toHaveValue('CASH');
  await page.getByRole('button', { name: 'Run reconciliation' }).click();

  await expect(page.getByTestId('run-counts')).toHaveText('9 matched · 4 unmatched statement · 4 unmatched ledger · 1 amount mismatch');
  // The CSV states no balances: no made-up difference until the operator types the bank's figures.
  await expect(page.getByTestId('closing-difference')).toHaveCount(0);
  await expect(page.getByTestId('no-closing-balance')).toContainText('No closing balance in the statement');
  const balances = page.getByRole('group', { name: 'Statement balances' });
  await balances.getByLabel('Statement closing balance').fill('453.40');
  await expect(page.getByTestId('entered-difference')).toHaveText('+126.50 EUR');
  await balances.getByLabel('Statement opening balance').fill('0.00');
  await expect(page.getByTestId('statement-lines-check')).toHaveText("The statement's lines add up from opening to closing.");
  await balances.getByLabel('Statement closing balance').fill('453.00');
  await expect(page.getByTestId('statement-lines-check')).toHaveText("The statement's lines do not add up: -0.40 EUR is missing between opening and closing.");
  await expect(pane(page, /^Matched/).locator('tbody tr')).toHaveCount(9);
  await expect(pane(page, /^Matched/).getByTestId('matched-line-11')).toContainText('P-2001, P-2002, P-2003');
  // The rule is named by what agrees, and the amount that differs is shown, not a bare confidence.
  await expect(pane(page, /^Matched/).getByTestId('matched-line-5')).toContainText('Same reference, amount differs by 0.50, 1 day apart');
  await expect(pane(page, /^Unmatched statement lines/).locator('tbody tr')).toHaveCount(4);
  await expect(pane(page, /^Unmatched statement lines/).getByTestId('statement-line-10')).toContainText('about equally well');
  await expect(pane(page, /^Unmatched ledger entries/).locator('tbody tr')).toHaveCount(4);

  await page.getByLabel('Choose statement line 10').check();
  await page.getByLabel('Choose ledger payment P-1009').check();
  await expect(page.getByTestId('manual-match-status')).toContainText('difference 0.00');
  await page.getByRole('button', { name: 'Match selected' }).click();
  await expect(page.getByTestId('run-counts')).toHaveText('10 matched · 3 unmatched statement · 3 unmatched ledger · 1 amount mismatch');
  await expect(pane(page, /^Matched/).getByTestId('matched-line-10')).toContainText('Matched by hand');

  // The decision is the engine's, not the page's: a reload and reopening the run from the list shows it.
  await page.reload();
  await page.getByRole('button', { name: /^Open run r-/ }).click();
  await expect(pane(page, /^Matched/).getByTestId('matched-line-10')).toContainText('P-1009');

  await page.getByRole('button', { name: 'Mark finished' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished');
  await expect(page.getByRole('button', { name: 'Unmatch line 2' })).toBeDisabled();

  const downloadPromise = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^reconciliation-CASH-2024-03-01-2024-03-29-r-[a-z0-9-]+\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toBe('section,statement_line,booking_date,statement_amount,direction,currency,reference,description,payment_ids,' +
    'ledger_amount,rule,confidence,difference,note');
  expect(csv).toContain('matched,10,2024-03-12,400.00,credit,EUR,Transfer,,P-1009,400.00,manual,1,,');
  expect(csv).toContain(`"'=HYPERLINK(""http://example.com"")"`);
});
