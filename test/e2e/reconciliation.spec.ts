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

/** Drops the fixture's bytes as they are on disk (an ISO-8859-1 file stays ISO-8859-1). */
async function dropStatement(page: Page, fileName: string) {
  const bytes = [...(await readFile(path.join(fixtures, fileName)))];
  const dataTransfer = await page.evaluateHandle(([content, name]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(content)], name));
    return transfer;
  }, [bytes, fileName] as const);
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

async function openReconciliation(page: Page, hostUrl: string) {
  await page.goto(hostUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reconciliation' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reconciliation');
}

test('an operator drops an enveloped camt.053 with two statements, sees the account each names and reconciles both at once', async ({ page, hostUrl }) => {
  await openReconciliation(page, hostUrl);
  await dropStatement(page, 'envelope-two-accounts.camt053.xml');
  await expect(page.getByTestId('statement-format')).toHaveText('camt.053 statement (camt.053.001.08), read as UTF-8: 2 statements');
  await expect(page.getByTestId('statement-1')).toContainText('CASH-2024-03');
  await expect(page.getByTestId('statement-1')).toContainText('IBAN DE89370400440532013000');
  await expect(page.getByTestId('statement-1').getByRole('cell', { name: 'CASH', exact: true })).toBeVisible();
  await expect(page.getByTestId('statement-2').getByRole('cell', { name: 'CUST-A', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Reconcile all 2 statements' }).click();

  await expect(page.getByRole('button', { name: /^Open run r-/ })).toHaveCount(2);
  await expect(page.getByTestId('run-counts')).toHaveText('8 matched · 0 unmatched statement · 0 unmatched ledger · 0 amount mismatches');
  await expect(page.getByRole('region', { name: 'Run summary' })).toContainText('statement CUSTA-2024-03 · GB82WEST12345698765432 · camt.053.001.08');
  await expect(page.getByTestId('opening-difference')).toHaveText('0.00 EUR');
  await expect(page.getByTestId('closing-difference')).toHaveText('0.00 EUR');

  // The first run, CASH's: the wrong credit and its reversal stay on the statement side, equal and opposite.
  await page.getByRole('row').filter({ hasText: 'CASH-2024-03' }).getByRole('button', { name: /^Open run r-/ }).click();
  await expect(page.getByTestId('run-counts')).toHaveText('15 matched · 2 unmatched statement · 0 unmatched ledger · 0 amount mismatches');
  await expect(pane(page, /^Unmatched statement lines/).getByTestId('statement-line-5')).toContainText('-12.34');
});

test('an operator reconciles one statement of an MT940 file and sees both the opening and the closing difference', async ({ page, hostUrl }) => {
  await openReconciliation(page, hostUrl);
  await dropStatement(page, 'two-statements.mt940');
  await expect(page.getByTestId('statement-format')).toHaveText('SWIFT MT940 (MT940), read as UTF-8: 2 statements');
  await expect(page.getByTestId('statement-1')).toContainText('STMT-CASH-03 00003/001');
  await page.getByRole('button', { name: 'Reconcile statement 1' }).click();
  await expect(page.getByTestId('run-counts')).toHaveText('15 matched · 2 unmatched statement · 0 unmatched ledger · 0 amount mismatches');
  await expect(page.getByTestId('opening-difference')).toHaveText('+100.00 EUR');
  await expect(page.getByTestId('closing-difference')).toHaveText('+100.00 EUR');
  await expect(pane(page, /^Matched/).getByTestId('matched-line-5')).toContainText('P-1001');
});

test('an operator reconciles a camt.054, a camt.052 and an ISO-8859-1 camt.053, each against the account it names', async ({ page, hostUrl }) => {
  await openReconciliation(page, hostUrl);
  const cases = [
    ['notification.camt054.xml', 'camt.054 debit/credit notification (camt.054.001.08), read as UTF-8: 1 statement', 'CASH', '4 matched'],
    ['report.camt052.xml', 'camt.052 account report (camt.052.001.08), read as UTF-8: 1 statement', 'CASH', '1 matched'],
    ['latin1.camt053.xml', 'camt.053 statement (camt.053.001.02), read as ISO-8859-1: 1 statement', 'CUST-B', '7 matched'],
  ] as const;
  for (const [fileName, format, account, matched] of cases) {
    await dropStatement(page, fileName);
    await expect(page.getByTestId('statement-format')).toHaveText(format);
    await expect(page.getByLabel('Account')).toHaveValue(account);
    await page.getByRole('button', { name: 'Run reconciliation' }).click();
    await expect(page.getByTestId('run-counts')).toHaveText(`${matched} · 0 unmatched statement · 0 unmatched ledger · 0 amount mismatches`);
    // Only the camt.053 states a closing balance; the notification and the intraday report say so instead.
    if (fileName.endsWith('.camt053.xml')) await expect(page.getByTestId('closing-difference')).toHaveText('0.00 EUR');
    else await expect(page.getByText('No closing balance in the statement')).toBeVisible();
  }
  await expect(pane(page, /^Matched/).getByTestId('matched-line-1')).toContainText('INV-1003 Müller Straße');
});
