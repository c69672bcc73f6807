import { expect, test } from './fixtures';
import { fillNewAccount, navigate } from './operator-steps';

/**
 * Numbers read one way everywhere: an operator types amounts with thousands
 * separators, balances show them grouped, and the
 * status bar counts payments as the dashboard does (opening balances are not
 * payments).
 */

test('amounts typed with thousands separators are paid exactly and every figure is grouped', async ({ page, hostUrl }) => {
  await page.goto(hostUrl);
  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '1,250,000.00');
  await fillNewAccount(page, 'BOB', '0');
  await expect(page.getByTestId('balance-ALICE')).toHaveText('1,250,000.00');
  await expect(page.getByTestId('status-payments')).toHaveText('Payments: 0');

  await navigate(page, 'Payments');
  const form = page.getByRole('form', { name: 'Single payment' });
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  // A decimal comma is refused as the operator types, with a sentence that shows the way.
  await form.getByLabel('Amount').fill('12,50');
  await expect(form.getByText('write decimals with a point and group thousands with commas, as in 1,250.50.')).toBeVisible();
  await form.getByLabel('Amount').fill('1,000.00');
  await form.getByRole('button', { name: 'Submit payment' }).click();
  await expect(page.getByTestId('payment-outcome').locator('.outcome-status')).toHaveText('Accepted');
  await expect(page.getByTestId('status-payments')).toHaveText('Payments: 1');

  await navigate(page, 'Accounts');
  await expect(page.getByTestId('balance-ALICE')).toHaveText('1,249,000.00');
  await expect(page.getByTestId('balance-BOB')).toHaveText('1,000.00');

  await navigate(page, 'Dashboard');
  await expect(page.getByTestId('tile-payments-today-value')).toHaveText('1');
});
