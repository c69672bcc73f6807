import { expect, test } from './fixtures';
import { createAccounts, createOperator, heldPaymentId, navigate, openSecondSession, processBatch, setThreshold, submitPaymentForm } from './operator-steps';

/**
 * Four-eyes on the Pending approvals page, with two operators signed in at
 * once in two windows: the requester sees their own item without Approve,
 * the approver reads the reference, the batch's rows and its totals per
 * currency and debtor, and decides with compact buttons that fit at 1024 px.
 */

test.use({ viewport: { width: 1024, height: 700 } });

async function prepare(page: import('@playwright/test').Page, hostUrl: string) {
  await page.goto(hostUrl);
  await createOperator(page, 'otto', 'operator');
  await createOperator(page, 'april', 'approver');
  await createAccounts(page, [
    ['ALICE', 'EUR', '5000.00'], ['BOB', 'EUR', '0.00'], ['CAROL', 'EUR', '3000.00'], ['DAN', 'USD', '900.00'], ['ERIN', 'USD', '0.00'],
  ]);
  await setThreshold(page, 'EUR', '500.00');
}

test("an approver approves a payment requested in another operator's session, reading its reference", async ({ page, browser, hostUrl }) => {
  await prepare(page, hostUrl);
  const otto = await openSecondSession(browser, hostUrl, 'otto', 'otto password 123');
  await navigate(otto, 'Payments');
  await submitPaymentForm(otto, { debtor: 'ALICE', creditor: 'BOB', amount: '1200.00', reference: 'Invoice 2024-118 supplier' });
  const paymentId = await heldPaymentId(otto);

  await navigate(otto, 'Pending approvals');
  const ownRow = otto.getByRole('table', { name: 'Payments waiting for approval' }).getByRole('row', { name: new RegExp(paymentId) });
  await expect(ownRow).toContainText('pending');
  await expect(otto.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

  const april = await openSecondSession(browser, hostUrl, 'april', 'april password 123');
  await navigate(april, 'Pending approvals');
  const row = april.getByRole('table', { name: 'Payments waiting for approval' }).getByRole('row', { name: new RegExp(paymentId) });
  await expect(row).toContainText('Invoice 2024-118 supplier');
  await expect(row).toContainText('ALICE → BOB');
  await expect(row).toContainText('1,200.00 EUR');
  await expect(row).toContainText('otto');
  const approve = row.getByRole('button', { name: `Approve payment ${paymentId}` });
  await expect(approve).toHaveText('Approve');
  await expect(row.getByRole('button', { name: `Reject payment ${paymentId}` })).toBeInViewport();
  expect(await april.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await approve.click();
  await expect(april.getByRole('status')).toHaveText(`Payment ${paymentId} approved.`);
  await navigate(april, 'Accounts');
  await expect(april.getByTestId('balance-BOB')).toHaveText('1,200.00');
});

function batchFile(): string {
  const lines = ['payment_id,debtor_account,creditor_account,amount,currency,reference'];
  for (let index = 1; index <= 60; index++) lines.push(`pay-${index},${index % 2 === 0 ? 'ALICE' : 'CAROL'},BOB,10.00,EUR,Salary ${index}`);
  lines.push('usd-1,DAN,ERIN,250.00,USD,Fees', 'usd-2,DAN,ERIN,50.00,USD,Fees', 'bad-1,ALICE,NOBODY,1.00,EUR,unknown');
  return lines.join('\n');
}

test('an approver opens a batch held for approval, reads its rows and totals per currency and debtor, and approves it', async ({ page, browser, hostUrl }) => {
  await prepare(page, hostUrl);
  const otto = await openSecondSession(browser, hostUrl, 'otto', 'otto password 123');
  await processBatch(otto, 'salaries.csv', batchFile(), 62);
  await expect(otto.getByTestId('batch-status')).toHaveText('awaiting-approval');
  await navigate(otto, 'Pending approvals');
  const ownRow = otto.getByRole('table', { name: 'Batches waiting for approval' }).getByRole('row', { name: /salaries\.csv/ });
  await expect(ownRow).toContainText('pending');
  await expect(otto.getByRole('button', { name: /^Approve/ })).toHaveCount(0);

  const april = await openSecondSession(browser, hostUrl, 'april', 'april password 123');
  await navigate(april, 'Pending approvals');
  const row = april.getByRole('table', { name: 'Batches waiting for approval' }).getByRole('row', { name: /salaries\.csv/ });
  await expect(row).toContainText('62 of 63');
  await expect(row).toContainText('600.00 EUR');
  await expect(row).toContainText('300.00 USD');
  await row.getByRole('button', { name: 'Rows and totals of batch salaries.csv' }).click();
  const detail = april.getByTestId('batch-approval-detail');
  const byCurrency = detail.getByRole('table', { name: 'Totals per currency' });
  await expect(byCurrency.getByRole('row', { name: /EUR/ })).toContainText('60');
  await expect(byCurrency.getByRole('row', { name: /EUR/ })).toContainText('600.00 EUR');
  await expect(byCurrency.getByRole('row', { name: /USD/ })).toContainText('300.00 USD');
  const byDebtor = detail.getByRole('table', { name: 'Totals per debtor' });
  await expect(byDebtor.getByRole('row', { name: /ALICE/ })).toContainText('300.00 EUR');
  await expect(byDebtor.getByRole('row', { name: /CAROL/ })).toContainText('300.00 EUR');
  await expect(byDebtor.getByRole('row', { name: /DAN/ })).toContainText('300.00 USD');
  const rows = detail.getByRole('table', { name: 'Rows to be paid' }).locator('tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText('Salary 1');
  await detail.getByRole('button', { name: 'Next rows' }).click();
  await expect(rows).toHaveCount(12);
  await expect(rows.last()).toContainText('usd-2');
  expect(await april.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  await row.getByRole('button', { name: 'Approve batch salaries.csv' }).click();
  await expect(april.getByRole('status')).toHaveText('Batch salaries.csv approved: it is running.');
  await navigate(otto, 'Batches');
  await expect(otto.getByTestId('batch-history').getByRole('row', { name: /salaries\.csv/ })).toContainText('completed');
});

test('raising or removing a threshold asks for confirmation, and every change is in the audit trail in decimal amounts', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await setThreshold(page, 'EUR', '500.00');
  const thresholds = page.getByRole('table', { name: 'Approval thresholds' });
  await expect(thresholds.getByRole('row', { name: /EUR/ })).toContainText('500.00 EUR');

  // An amount with too many decimals is refused as it is typed; an empty one cannot be sent.
  await page.getByLabel('Threshold amount').fill('');
  await expect(page.getByRole('button', { name: 'Set threshold' })).toBeDisabled();
  await page.getByLabel('Threshold amount').fill('10.001');
  await expect(page.getByLabel('Threshold amount')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Threshold amount').fill('2000.00');
  await page.getByRole('button', { name: 'Set threshold' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Weaken four-eyes for EUR?' });
  await expect(confirm).toContainText(
    'Raising the EUR approval threshold from 500.00 EUR to 2,000.00 EUR lets payments up to 2,000.00 EUR post without a second operator.',
  );
  await confirm.getByRole('button', { name: 'Keep the current threshold' }).click();
  await expect(thresholds.getByRole('row', { name: /EUR/ })).toContainText('500.00 EUR');

  await page.getByLabel('Threshold amount').fill('2000.00');
  await page.getByRole('button', { name: 'Set threshold' }).click();
  await confirm.getByRole('button', { name: 'Raise the EUR threshold' }).click();
  await expect(thresholds.getByRole('row', { name: /EUR/ })).toContainText('2,000.00 EUR');

  await thresholds.getByRole('button', { name: 'Remove the EUR threshold' }).click();
  await expect(confirm).toContainText('Removing the EUR approval threshold of 2,000.00 EUR lets every EUR payment and batch post without a second operator.');
  await confirm.getByRole('button', { name: 'Remove the EUR threshold' }).click();
  await expect(page.getByText('No thresholds: every payment posts at once.')).toBeVisible();

  await navigate(page, 'Audit');
  const entries = page.getByRole('table', { name: 'Audit entries' });
  await expect(entries.getByRole('row', { name: /EUR approval threshold set to 500\.00 EUR/ })).toHaveCount(1);
  await expect(entries.getByRole('row', { name: /from 500\.00 EUR to 2,000\.00 EUR .*\(confirmed\)/ })).toContainText('admin');
  await expect(entries.getByRole('row', { name: /Removing the EUR approval threshold of 2,000\.00 EUR .*\(confirmed\)/ })).toHaveCount(1);
  await expect(entries).not.toContainText('= 200000');
});

test('the audit trail shows a refused self-approval and a backup, found by searching an action name or picking it from the list', async ({
  page, browser, hostUrl,
}) => {
  await prepare(page, hostUrl);
  const april = await openSecondSession(browser, hostUrl, 'april', 'april password 123');
  await navigate(april, 'Payments');
  await submitPaymentForm(april, { debtor: 'ALICE', creditor: 'BOB', amount: '900.00' });
  const paymentId = await heldPaymentId(april);
  // The page offers april no Approve on her own payment; a hand-made request (or a stale page) gets refused by core, and audited.
  const refused = await april.evaluate(async (id) => {
    const response = await fetch('/api/approval-approve', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('paydesk.token')}`,
        'X-PayDesk-Session': sessionStorage.getItem('paydesk.session') ?? '',
      },
      body: JSON.stringify({ paymentId: id }),
    });
    return (await response.json()) as { ok: boolean; code: string };
  }, paymentId);
  expect(refused).toMatchObject({ ok: false, code: 'SELF_APPROVAL' });

  await navigate(page, 'Backups');
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(page.getByRole('status')).toContainText('Backup');

  await navigate(page, 'Audit');
  const entries = page.getByRole('table', { name: 'Audit entries' });
  await page.getByLabel('Search').fill('approval approve');
  await expect(entries.locator('tbody tr')).toHaveCount(1);
  await expect(entries.locator('tbody tr')).toContainText('refused SELF_APPROVAL');
  await expect(entries.locator('tbody tr')).toContainText(`You submitted payment ${paymentId}, so you cannot approve it: another approver must decide.`);
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Action').selectOption({ label: 'Backup create (backup-create)' });
  await expect(entries.locator('tbody tr')).toHaveCount(1);
  await expect(entries.locator('tbody tr')).toContainText(/backup .* written \([\d,]+ KiB\)/);
  // The refusal added an audit entry and moved no money.
  await navigate(page, 'Accounts');
  await expect(page.getByTestId('balance-ALICE')).toHaveText('5,000.00');
  await expect(page.getByTestId('balance-BOB')).toHaveText('0.00');
});
