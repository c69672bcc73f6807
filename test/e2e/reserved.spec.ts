import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { fillNewAccount, navigate } from './operator-steps';

/**
 * Reserved funds and pending payments, as an operator sees them: a payment
 * held for approval shows under "Waiting for approval" in Payment history,
 * the account table shows what is reserved and what is available, the debtor
 * picker offers the available amount, and equity accounts are not debtors.
 */

/** The threshold through the engine's own channel, as the Pending page would set it. */
async function setThreshold(page: Page, hostUrl: string, currency: string, amount: string) {
  const token = new URLSearchParams(new URL(hostUrl).hash.slice(1)).get('token')!;
  const result = await page.evaluate(async ([accessToken, body]) => {
    const response = await fetch('/api/approval-threshold-set', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}`, 'X-PayDesk-Session': sessionStorage.getItem('paydesk.session')! },
      body,
    });
    return (await response.json()) as { ok: boolean };
  }, [token, JSON.stringify({ currency, amount })] as const);
  expect(result.ok).toBe(true);
}

test('a payment waiting for approval is listed as pending and its amount shows as reserved', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1,000.00', 'ALICE Ltd');
  await fillNewAccount(page, 'BOB', '0', 'BOB Ltd');
  await setThreshold(page, hostUrl, 'EUR', '500.00');

  await navigate(page, 'Payments');
  const form = page.getByRole('form', { name: 'Single payment' });
  const debtor = form.getByRole('combobox', { name: 'Debtor', exact: true });
  await expect(debtor.locator('option', { hasText: 'EQUITY-EUR' })).toHaveCount(0);
  await expect(form.getByRole('combobox', { name: 'Creditor', exact: true }).locator('option', { hasText: 'EQUITY-EUR' })).toHaveCount(1);
  await debtor.selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  await form.getByLabel('Amount').fill('600.00');
  await form.getByRole('button', { name: 'Submit payment' }).click();
  const outcome = page.getByTestId('payment-outcome');
  await expect(outcome.locator('.outcome-status')).toHaveText('Waiting for approval');
  const paymentId = (await outcome.locator('dd.mono').textContent())!;

  // Payment history: not among the posted payments, listed under its own filter.
  const history = page.getByRole('region', { name: 'Payment history' });
  await expect(history.getByTestId(`payment-row-${paymentId}`)).toHaveCount(0);
  await history.getByLabel('Status').selectOption('pending');
  const row = history.getByTestId(`payment-row-${paymentId}`);
  await expect(row).toContainText('Waiting for approval');
  await expect(row).toContainText('600.00');
  await expect(row).not.toContainText('PENDING_APPROVAL');

  await form.getByRole('button', { name: 'New payment' }).click();
  await expect(debtor.locator('option', { hasText: 'ALICE' })).toHaveText('ALICE — ALICE Ltd — 400.00 EUR available (600.00 EUR reserved)');

  await navigate(page, 'Accounts');
  await expect(page.getByTestId('balance-ALICE')).toHaveText('1,000.00');
  await expect(page.getByTestId('reserved-ALICE')).toHaveText('600.00');
  await expect(page.getByTestId('available-ALICE')).toHaveText('400.00');
  await expect(page.getByTestId('reserved-BOB')).toHaveText('—');
  await expect(page.getByTestId('available-BOB')).toHaveText('0.00');
});
