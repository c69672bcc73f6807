import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { fillNewAccount, startNewPayment } from './operator-steps';

/**
 * An operator, in a real browser against the loopback host and a fresh ledger:
 * opens two accounts, pays, sees the balances move, is refused an overdraft
 * with its code and sentence, and submits the same payment twice without
 * paying twice.
 */

async function expectBalances(page: Page, balances: Record<string, string>) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accounts');
  for (const [code, balance] of Object.entries(balances)) {
    await expect(page.getByTestId(`balance-${code}`)).toHaveText(balance);
  }
}

async function openPayments(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payments');
  return page.getByRole('form', { name: 'Single payment' });
}

test('an operator pays, is refused an overdraft, and a repeated submission pays once', async ({ page, hostUrl }) => {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    // Any console error fails the test, the CSP's among them (frame-ancestors belongs in the header only).
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(hostUrl);
  await expect(page.getByText('Ledger: ledger.paydesk')).toBeVisible();
  // The token leaves the address bar once the client has read it.
  expect(page.url()).not.toContain('token=');

  await page.getByRole('button', { name: 'New account' }).click();
  await fillNewAccount(page, 'ALICE', '100.00', 'Alice');
  await fillNewAccount(page, 'BOB', '0.00', 'Bob');
  await expectBalances(page, { ALICE: '100.00', BOB: '0.00' });

  const form = await openPayments(page);
  const outcome = page.getByTestId('payment-outcome');
  await form.getByRole('combobox', { name: 'Debtor', exact: true }).selectOption('ALICE');
  await form.getByRole('combobox', { name: 'Creditor', exact: true }).selectOption('BOB');
  await form.getByLabel('Amount').fill('25.00');
  await form.getByRole('button', { name: 'Submit payment' }).click();
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');
  await expect(outcome.locator('.code')).toHaveText('ACSC');
  const paymentId = await outcome.locator('dd.mono').textContent();

  // The same form submitted again carries the same payment id: the engine answers with the first outcome.
  await form.getByRole('button', { name: 'Submit payment' }).click();
  await expect(outcome.getByText('Already processed: showing the first outcome')).toBeVisible();
  await expect(outcome.locator('.outcome-status')).toHaveText('Accepted');
  await expect(outcome.locator('dd.mono')).toHaveText(paymentId ?? '');
  await expectBalances(page, { ALICE: '75.00', BOB: '25.00' });

  await openPayments(page);
  await startNewPayment(form);
  await form.getByLabel('Amount').fill('500.00');
  await form.getByRole('button', { name: 'Submit payment' }).click();
  await expect(outcome.locator('.outcome-status')).toHaveText('Rejected');
  await expect(outcome.locator('.code')).toHaveText('AM04');
  await expect(outcome).toContainText(/insufficient funds/i);
  await expectBalances(page, { ALICE: '75.00', BOB: '25.00' });

  expect(consoleErrors).toEqual([]);
});

test('the page is served with the CSP header and without the token the API refuses', async ({ page, hostUrl }) => {
  const response = await page.goto(hostUrl);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(response?.headers()['x-content-type-options']).toBe('nosniff');
  const origin = new URL(hostUrl).origin;
  const status = await page.evaluate(async (base) => (await fetch(`${base}/api/ledger-info`, { method: 'POST', body: '{}' })).status, origin);
  expect(status).toBe(401);
});
