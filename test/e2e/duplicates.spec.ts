import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { fillNewAccount, startNewPayment, submitPaymentForm } from './operator-steps';

/**
 * A possible duplicate: the same debtor, creditor, amount and reference as a
 * payment minutes ago is not paid silently. The operator reads the warning
 * and its rule, and either does not pay or pays it again on purpose.
 */

function fillPayment(page: Page, amount: string, reference: string) {
  return submitPaymentForm(page, { debtor: 'ALICE', creditor: 'BOB', amount, reference });
}

test('the same payment minutes later asks before paying, and pays again only when confirmed', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '100.00');
  await fillNewAccount(page, 'BOB', '0');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
  const outcome = page.getByTestId('payment-outcome');

  const form = await fillPayment(page, '25.00', 'INV-7');
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');
  const firstId = (await outcome.locator('dd.mono').textContent())!;
  await startNewPayment(form);

  await fillPayment(page, '25.00', 'INV-7');
  const warning = page.getByTestId('duplicate-warning');
  await expect(warning).toContainText('Not paid yet: possible duplicate');
  await expect(warning).toContainText(`Possible duplicate: 25.00 EUR from ALICE to BOB with reference "INV-7" was paid under a minute ago as ${firstId}.`);
  await expect(warning).toContainText('match a payment made or waiting for approval in the last 10 minutes');
  await expect(warning.getByRole('button', { name: "Don't pay" })).toBeFocused();
  await warning.getByRole('button', { name: "Don't pay" }).click();
  await expect(warning).toHaveCount(0);
  await expect(outcome).toContainText('No payment submitted yet.');

  // A different reference is a different payment: no question asked.
  await fillPayment(page, '25.00', 'INV-8');
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');
  await startNewPayment(form);

  await fillPayment(page, '25.00', 'INV-7');
  await warning.getByRole('button', { name: 'Pay it again' }).click();
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await expect(page.getByTestId('balance-ALICE')).toHaveText('25.00');
  await expect(page.getByTestId('balance-BOB')).toHaveText('75.00');
});
